/** A CloudFormation resource as a synthesized template holds it. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
  readonly DependsOn?: string | readonly string[];
  readonly Condition?: string;
  readonly Metadata?: Readonly<Record<string, unknown>>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

export interface CfnParameter {
  readonly Type: string;
  readonly Default?: unknown;
  readonly Description?: string;
}

export interface CfnOutput {
  readonly Value: unknown;
  readonly Description?: string;
  readonly Condition?: string;
  readonly Export?: { readonly Name: unknown };
}

/** The parts of a CloudFormation template the local deployer reads. */
export interface CfnTemplate {
  readonly Description?: string;
  readonly Parameters?: Readonly<Record<string, CfnParameter>>;
  readonly Mappings?: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;
  readonly Conditions?: Readonly<Record<string, unknown>>;
  readonly Resources: Readonly<Record<string, CfnResource>>;
  readonly Outputs?: Readonly<Record<string, CfnOutput>>;
  /** Deploy-time assertions (CDK's bootstrap version check): nothing to run locally. */
  readonly Rules?: Readonly<Record<string, unknown>>;
}

/**
 * The template asks for something the local cloud cannot do (an unsupported resource type or
 * intrinsic, a reference to nothing). The message names the resource; the CLI prints it as is.
 */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

/** Where in the template a value sits, for error messages: `IngestQueue (AWS::SQS::Queue) Properties.RedrivePolicy`. */
export const describeLocation = (
  template: CfnTemplate,
  logicalId: string,
  path: readonly (string | number)[] = [],
): string => {
  const type = template.Resources[logicalId]?.Type;
  const where = type === undefined ? logicalId : `${logicalId} (${type})`;
  return path.length === 0 ? where : `${where} at ${path.join('.')}`;
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Checks the shape a synthesized template has; anything else is a {@link TemplateError}. */
export const asTemplate = (value: unknown): CfnTemplate => {
  if (!isRecord(value) || !isRecord(value.Resources)) {
    throw new TemplateError('not a CloudFormation template: it has no Resources section');
  }
  for (const [logicalId, resource] of Object.entries(value.Resources)) {
    if (!isRecord(resource) || typeof resource.Type !== 'string') {
      throw new TemplateError(`resource ${logicalId} has no Type`);
    }
    if (resource.Properties !== undefined && !isRecord(resource.Properties)) {
      throw new TemplateError(`resource ${logicalId} has Properties that are not an object`);
    }
  }
  return value as unknown as CfnTemplate;
};
