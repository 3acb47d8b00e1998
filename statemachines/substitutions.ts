/**
 * The `${Placeholder}` names in statemachines/document-pipeline.asl.yaml. The CDK app and the local
 * cloud both substitute exactly this set; a test keeps the ASL and this list equal.
 */
export const SUBSTITUTION_KEYS = [
  'InspectFunctionArn',
  'ThumbnailFunctionArn',
  'ExtractTextFunctionArn',
  'IndexMetadataFunctionArn',
  'MetadataTableName',
  'FailedDocumentsQueueUrl',
] as const;

export type SubstitutionKey = (typeof SUBSTITUTION_KEYS)[number];
export type Substitutions = Readonly<Record<SubstitutionKey, string>>;

const PLACEHOLDER = /\$\{([A-Za-z0-9]+)\}/g;

/** The `${Key}` placeholders of a definition that `values` has no value for, each once. */
export const missingSubstitutions = (
  definition: string,
  values: Readonly<Record<string, string>>,
): string[] =>
  [...new Set([...definition.matchAll(PLACEHOLDER)].map(([, name]) => name as string))].filter(
    (name) => !Object.hasOwn(values, name),
  );

/**
 * Replaces every `${Key}` in a definition; throws on an unknown or a missing key, naming every one.
 * Tests pass {@link Substitutions}; the local cloud passes a template's `DefinitionSubstitutions`.
 */
export const substitute = (definition: string, values: Readonly<Record<string, string>>): string => {
  const missing = missingSubstitutions(definition, values);
  if (missing.length > 0) {
    throw new Error(`no substitution for ${missing.map((name) => `\${${name}}`).join(', ')}`);
  }
  return definition.replace(PLACEHOLDER, (_, name: string) => values[name] as string);
};
