/**
 * The `${Placeholder}` names in statemachines/document-pipeline.asl.json. The CDK app and the local
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

/** Path of the definition, relative to the repository root. */
export const DEFINITION_PATH = 'statemachines/document-pipeline.asl.json';

/** Replaces every `${Key}` in a definition; throws on an unknown or a missing key. */
export const substitute = (definition: string, values: Substitutions): string =>
  definition.replace(/\$\{([A-Za-z0-9]+)\}/g, (_, name: string) => {
    if (!Object.hasOwn(values, name)) throw new Error(`no substitution for \${${name}}`);
    return values[name as SubstitutionKey];
  });
