import type { GenerateSecretSpec, SecretStep } from '../steps';
import { isRecord, isTrue, mismatch, type ResolvedResource, type ResourceHandler } from './resource-handler';

const lowerFirst = (name: string): string => `${name.charAt(0).toLowerCase()}${name.slice(1)}`;

const generateSpec = (resource: ResolvedResource, value: unknown): GenerateSecretSpec => {
  if (!isRecord(value)) throw resource.error(['Properties', 'GenerateSecretString'], 'must be an object');
  const flag = (name: string) =>
    value[name] === undefined ? {} : { [lowerFirst(name)]: isTrue(value[name]) };
  const text = (name: string) =>
    value[name] === undefined ? {} : { [lowerFirst(name)]: String(value[name]) };
  const length = resource.number('GenerateSecretString.PasswordLength', value.PasswordLength);
  return {
    ...(length === undefined ? {} : { passwordLength: length }),
    ...text('ExcludeCharacters'),
    ...flag('ExcludeNumbers'),
    ...flag('ExcludePunctuation'),
    ...flag('ExcludeUppercase'),
    ...flag('ExcludeLowercase'),
    ...flag('IncludeSpace'),
    ...flag('RequireEachIncludedType'),
    ...text('SecretStringTemplate'),
    ...text('GenerateStringKey'),
  };
};

const secret = (resource: ResolvedResource): SecretStep => {
  const secretString = resource.string('SecretString');
  const generate = resource.property('GenerateSecretString');
  if ((secretString === undefined) === (generate === undefined)) {
    throw resource.error(['Properties'], 'needs exactly one of SecretString and GenerateSecretString');
  }
  const description = resource.string('Description');
  return {
    kind: 'secret',
    ...resource.names,
    ...(description === undefined ? {} : { description }),
    value: secretString === undefined ? { generate: generateSpec(resource, generate) } : { secretString },
    notes: resource.notes(['Name', 'SecretString', 'GenerateSecretString'], {
      KmsKeyId: 'secrets are kept in plain JSON locally',
      ReplicaRegions: 'the local cloud has one region',
    }),
  };
};

/** Secrets with a given value or one generated at deploy time, as Secrets Manager generates it. */
export const secretsManagerHandler: ResourceHandler = {
  types: ['AWS::SecretsManager::Secret'],
  plan: secret,
  deploy: {
    secret: async (step, targets) => {
      const { arn } = await targets.createSecret(step);
      if (arn !== step.arn && !arn.startsWith(`${step.arn}-`))
        throw mismatch(step, 'secret ARN', step.arn, arn);
      return { type: 'AWS::SecretsManager::Secret', physicalId: step.name, arn };
    },
  },
};
