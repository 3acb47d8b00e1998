import { missingSubstitutions, substitute } from '../../../statemachines/substitutions';
import type { StateMachineStep } from '../steps';
import {
  isRecord,
  isTrue,
  mismatch,
  type PlanContext,
  type ResolvedResource,
  type ResourceHandler,
} from './resource-handler';

/** The definition as the template gives it: a string, an object, or a file asset of the app. */
const definitionText = (resource: ResolvedResource, context: PlanContext): string => {
  const inline = resource.property('DefinitionString');
  if (inline !== undefined) {
    if (typeof inline !== 'string')
      throw resource.error(['Properties', 'DefinitionString'], 'must be a string');
    return inline;
  }
  const object = resource.property('Definition');
  if (object !== undefined) return JSON.stringify(object);
  const location = resource.property('DefinitionS3Location');
  if (isRecord(location) && typeof location.Key === 'string') {
    const asset = context.inputs.fileAssets[location.Key];
    if (asset === undefined) {
      throw resource.error(
        ['Properties', 'DefinitionS3Location'],
        `s3://${String(location.Bucket)}/${location.Key} is not a file asset of the synthesized app`,
      );
    }
    return asset;
  }
  throw resource.error(['Properties'], 'has no DefinitionString, Definition or DefinitionS3Location');
};

/** `DefinitionSubstitutions` resolved, substituted into the definition, which must then be JSON. */
const substitutedDefinition = (
  resource: ResolvedResource,
  text: string,
): { definition: string; substitutions: Record<string, string> } => {
  const substitutions: Record<string, string> = {};
  const given = resource.property('DefinitionSubstitutions');
  if (isRecord(given)) {
    for (const [name, value] of Object.entries(given)) {
      substitutions[name] = resource.resolveString(value, 'DefinitionSubstitutions', name);
    }
  }
  const missing = missingSubstitutions(text, substitutions);
  if (missing.length > 0) {
    throw resource.error(
      ['Properties', 'DefinitionSubstitutions'],
      `has no value for ${missing.map((name) => `\${${name}}`).join(', ')}`,
    );
  }
  const definition = substitute(text, substitutions);
  try {
    JSON.parse(definition);
  } catch (error) {
    throw resource.error(
      ['Properties'],
      `the definition is not JSON once substituted: ${(error as Error).message}`,
    );
  }
  return { definition, substitutions };
};

const stateMachine = (resource: ResolvedResource, context: PlanContext): StateMachineStep => {
  const { definition, substitutions } = substitutedDefinition(resource, definitionText(resource, context));
  const tracing = resource.property('TracingConfiguration');
  const type = resource.string('StateMachineType') ?? 'STANDARD';
  if (type !== 'STANDARD' && type !== 'EXPRESS') {
    throw resource.error(['Properties', 'StateMachineType'], `unknown type ${type}`);
  }
  const roleArn = resource.string('RoleArn');
  return {
    kind: 'stateMachine',
    ...resource.names,
    definition,
    substitutions,
    ...(roleArn === undefined ? {} : { roleArn }),
    tracingEnabled: isRecord(tracing) && isTrue(tracing.Enabled),
    type,
    notes: resource.notes(
      [
        'StateMachineName',
        'DefinitionString',
        'Definition',
        'DefinitionS3Location',
        'DefinitionSubstitutions',
        'RoleArn',
        'TracingConfiguration',
        'StateMachineType',
      ],
      { LoggingConfiguration: 'executions and their history are kept by the local Step Functions' },
    ),
  };
};

/** State machines, their definition substituted as Step Functions substitutes it. */
export const stepFunctionsHandler: ResourceHandler = {
  types: ['AWS::StepFunctions::StateMachine'],
  deploy: {
    stateMachine: async (step, targets) => {
      const { stateMachineArn } = await targets.registerStateMachine(step);
      if (stateMachineArn !== step.arn) throw mismatch(step, 'state machine ARN', step.arn, stateMachineArn);
      return undefined;
    },
  },
  plan: (resource, _earlier, context) => stateMachine(resource, context),
};
