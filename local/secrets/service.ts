import { randomInt, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { AwsApiError } from '../http/aws-api-error';
import { awsJsonHandler } from '../http/aws-json-protocol';
import { type RequestHandler, RequestTooLargeError } from '../http/proxy';
import { readStateFile, writeStateFileSync } from '../state-file';

/** `X-Amz-Target` prefix of Secrets Manager calls (AWS JSON 1.1). */
export const SECRETS_MANAGER_TARGET_PREFIX = 'secretsmanager.';

/** A request body larger than this is not buffered. */
const MAX_BODY_BYTES = 1024 * 1024;

/** A Secrets Manager error as the SDK reads it: `__type` is the exception name. */
export class SecretsManagerError extends AwsApiError {}

const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
const CHARACTER_TYPES = {
  lowercase: 'abcdefghijklmnopqrstuvwxyz',
  uppercase: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  numbers: '0123456789',
  punctuation: PUNCTUATION,
  space: ' ',
} as const;

/** `GetRandomPassword`'s parameters, which are also CloudFormation's `GenerateSecretString` ones. */
export interface PasswordSpec {
  /** @default 32 */
  readonly passwordLength?: number;
  readonly excludeCharacters?: string;
  readonly excludeNumbers?: boolean;
  readonly excludePunctuation?: boolean;
  readonly excludeUppercase?: boolean;
  readonly excludeLowercase?: boolean;
  readonly includeSpace?: boolean;
  /** @default true */
  readonly requireEachIncludedType?: boolean;
}

/** A random password drawn with a CSPRNG, with Secrets Manager's character rules. */
export const randomPassword = (spec: PasswordSpec = {}): string => {
  const length = spec.passwordLength ?? 32;
  if (!Number.isInteger(length) || length < 1 || length > 4096) {
    throw new SecretsManagerError('InvalidParameterException', 'PasswordLength must be between 1 and 4096');
  }
  const excluded = new Set(spec.excludeCharacters ?? '');
  const types = Object.entries({
    lowercase: !spec.excludeLowercase,
    uppercase: !spec.excludeUppercase,
    numbers: !spec.excludeNumbers,
    punctuation: !spec.excludePunctuation,
    space: spec.includeSpace === true,
  })
    .filter(([, included]) => included)
    .map(([type]) =>
      [...CHARACTER_TYPES[type as keyof typeof CHARACTER_TYPES]].filter((c) => !excluded.has(c)),
    )
    .filter((characters) => characters.length > 0);
  const alphabet = types.flat();
  const requireEach = spec.requireEachIncludedType ?? true;
  if (alphabet.length === 0 || (requireEach && types.length > length)) {
    throw new SecretsManagerError(
      'InvalidParameterException',
      'No password can satisfy these character rules',
    );
  }
  for (;;) {
    const password = Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');
    if (!requireEach || types.every((characters) => characters.some((c) => password.includes(c))))
      return password;
  }
};

/** CloudFormation's `GenerateSecretString`: a password, or a JSON template with the password under a key. */
export const generateSecretString = (
  spec: PasswordSpec & { readonly secretStringTemplate?: string; readonly generateStringKey?: string },
): string => {
  const password = randomPassword(spec);
  if (spec.secretStringTemplate === undefined || spec.generateStringKey === undefined) return password;
  const template = JSON.parse(spec.secretStringTemplate) as Record<string, unknown>;
  return JSON.stringify({ ...template, [spec.generateStringKey]: password });
};

const versionSchema = z.object({
  secretString: z.string().optional(),
  secretBinary: z.string().optional(),
  stages: z.array(z.string()),
  createdDate: z.number(),
});

const secretSchema = z.object({
  arn: z.string(),
  name: z.string(),
  description: z.string().optional(),
  kmsKeyId: z.string().optional(),
  tags: z.array(z.object({ Key: z.string(), Value: z.string() })),
  createdDate: z.number(),
  lastChangedDate: z.number(),
  versions: z.record(z.string(), versionSchema),
});

const stateSchema = z.object({ version: z.literal(1), secrets: z.array(secretSchema) });
type StoredSecret = z.infer<typeof secretSchema>;

const createSecretInput = z.object({
  Name: z
    .string()
    .regex(/^[\w/+=.@-]{1,512}$/, 'Name must be 1-512 characters of letters, digits and /_+=.@-'),
  ClientRequestToken: z.string().min(32).max(64).optional(),
  Description: z.string().max(2048).optional(),
  KmsKeyId: z.string().optional(),
  SecretString: z.string().max(65536).optional(),
  SecretBinary: z.base64().optional(),
  Tags: z.array(z.object({ Key: z.string(), Value: z.string() })).optional(),
});

const secretIdInput = z.object({ SecretId: z.string().min(1) });

const getSecretValueInput = secretIdInput.extend({
  VersionId: z.string().optional(),
  VersionStage: z.string().optional(),
});

const randomPasswordInput = z.object({
  PasswordLength: z.number().int().optional(),
  ExcludeCharacters: z.string().optional(),
  ExcludeNumbers: z.boolean().optional(),
  ExcludePunctuation: z.boolean().optional(),
  ExcludeUppercase: z.boolean().optional(),
  ExcludeLowercase: z.boolean().optional(),
  IncludeSpace: z.boolean().optional(),
  RequireEachIncludedType: z.boolean().optional(),
});

const ARN_SUFFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

const seconds = (date: Date): number => date.getTime() / 1000;

export interface SecretsManagerOptions {
  /** Where secrets are kept across restarts (`secrets.json`); in memory when absent. */
  readonly dataDir?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '000000000000', the account fauxqs uses */
  readonly accountId?: string;
}

/**
 * A minimal Secrets Manager: CreateSecret, GetSecretValue, DescribeSecret and GetRandomPassword over AWS
 * JSON 1.1 — what the query API needs to read its cursor key with the real SDK. Values sit in plain
 * JSON in the data directory (this is a laptop emulator, not a vault). Signatures are not checked.
 */
export class LocalSecretsManager {
  readonly #file: string | undefined;
  readonly #secrets: StoredSecret[];
  readonly #region: string;
  readonly #accountId: string;

  constructor(options: SecretsManagerOptions = {}) {
    this.#region = options.region ?? 'us-east-1';
    this.#accountId = options.accountId ?? '000000000000';
    this.#file = options.dataDir === undefined ? undefined : join(options.dataDir, 'secrets.json');
    this.#secrets =
      this.#file === undefined
        ? []
        : (readStateFile(this.#file, stateSchema, 'a secrets store')?.secrets ?? []);
  }

  /** Runs one operation; `input` is the parsed request body. */
  call(operation: string, input: unknown): Record<string, unknown> {
    switch (operation) {
      case 'CreateSecret':
        return this.#createSecret(parse(createSecretInput, input));
      case 'GetSecretValue':
        return this.#getSecretValue(parse(getSecretValueInput, input));
      case 'DescribeSecret':
        return this.#describeSecret(parse(secretIdInput, input));
      case 'GetRandomPassword': {
        const spec = parse(randomPasswordInput, input);
        return {
          RandomPassword: randomPassword({
            passwordLength: spec.PasswordLength,
            excludeCharacters: spec.ExcludeCharacters,
            excludeNumbers: spec.ExcludeNumbers,
            excludePunctuation: spec.ExcludePunctuation,
            excludeUppercase: spec.ExcludeUppercase,
            excludeLowercase: spec.ExcludeLowercase,
            includeSpace: spec.IncludeSpace,
            requireEachIncludedType: spec.RequireEachIncludedType,
          }),
        };
      }
      default:
        throw new SecretsManagerError(
          'UnknownOperationException',
          `The local Secrets Manager does not implement ${operation}`,
        );
    }
  }

  #createSecret(input: z.infer<typeof createSecretInput>): Record<string, unknown> {
    if (input.SecretString !== undefined && input.SecretBinary !== undefined) {
      throw new SecretsManagerError(
        'InvalidParameterException',
        'You can set SecretString or SecretBinary, not both.',
      );
    }
    const hasValue = input.SecretString !== undefined || input.SecretBinary !== undefined;
    const versionId = input.ClientRequestToken ?? randomUUID();
    const existing = this.#secrets.find((secret) => secret.name === input.Name);
    if (existing) {
      // A retried CreateSecret (same token, same value) is idempotent, as in AWS.
      const version = existing.versions[versionId];
      if (
        version &&
        version.secretString === input.SecretString &&
        version.secretBinary === input.SecretBinary
      ) {
        return { ARN: existing.arn, Name: existing.name, VersionId: versionId };
      }
      throw new SecretsManagerError(
        'ResourceExistsException',
        `The operation failed because the secret ${input.Name} already exists.`,
      );
    }
    const now = seconds(new Date());
    const suffix = Array.from(
      { length: 6 },
      () => ARN_SUFFIX_ALPHABET[randomInt(ARN_SUFFIX_ALPHABET.length)],
    ).join('');
    const secret: StoredSecret = {
      arn: `arn:aws:secretsmanager:${this.#region}:${this.#accountId}:secret:${input.Name}-${suffix}`,
      name: input.Name,
      ...(input.Description === undefined ? {} : { description: input.Description }),
      ...(input.KmsKeyId === undefined ? {} : { kmsKeyId: input.KmsKeyId }),
      tags: input.Tags ?? [],
      createdDate: now,
      lastChangedDate: now,
      versions: hasValue
        ? {
            [versionId]: {
              ...(input.SecretString === undefined ? {} : { secretString: input.SecretString }),
              ...(input.SecretBinary === undefined ? {} : { secretBinary: input.SecretBinary }),
              stages: ['AWSCURRENT'],
              createdDate: now,
            },
          }
        : {},
    };
    this.#secrets.push(secret);
    this.#save();
    return { ARN: secret.arn, Name: secret.name, ...(hasValue ? { VersionId: versionId } : {}) };
  }

  /** By name, full ARN, or ARN without the random suffix — the forms AWS accepts. */
  #find(secretId: string): StoredSecret {
    const secret = this.#secrets.find(
      (candidate) =>
        candidate.name === secretId ||
        candidate.arn === secretId ||
        candidate.arn.slice(0, candidate.arn.lastIndexOf('-')) === secretId,
    );
    if (!secret)
      throw new SecretsManagerError(
        'ResourceNotFoundException',
        "Secrets Manager can't find the specified secret.",
      );
    return secret;
  }

  #getSecretValue(input: z.infer<typeof getSecretValueInput>): Record<string, unknown> {
    const secret = this.#find(input.SecretId);
    const stage = input.VersionStage ?? (input.VersionId === undefined ? 'AWSCURRENT' : undefined);
    const entry = Object.entries(secret.versions).find(
      ([id, version]) =>
        (input.VersionId === undefined || id === input.VersionId) &&
        (stage === undefined || version.stages.includes(stage)),
    );
    if (!entry) {
      throw new SecretsManagerError(
        'ResourceNotFoundException',
        `Secrets Manager can't find the specified secret value for ${input.VersionId === undefined ? `staging label: ${stage}` : `VersionId: ${input.VersionId}`}`,
      );
    }
    const [versionId, version] = entry;
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: versionId,
      ...(version.secretString === undefined ? {} : { SecretString: version.secretString }),
      ...(version.secretBinary === undefined ? {} : { SecretBinary: version.secretBinary }),
      VersionStages: version.stages,
      CreatedDate: version.createdDate,
    };
  }

  #describeSecret(input: z.infer<typeof secretIdInput>): Record<string, unknown> {
    const secret = this.#find(input.SecretId);
    return {
      ARN: secret.arn,
      Name: secret.name,
      ...(secret.description === undefined ? {} : { Description: secret.description }),
      ...(secret.kmsKeyId === undefined ? {} : { KmsKeyId: secret.kmsKeyId }),
      CreatedDate: secret.createdDate,
      LastChangedDate: secret.lastChangedDate,
      Tags: secret.tags,
      VersionIdsToStages: Object.fromEntries(
        Object.entries(secret.versions).map(([id, version]) => [id, version.stages]),
      ),
    };
  }

  #save(): void {
    if (this.#file === undefined) return;
    mkdirSync(dirname(this.#file), { recursive: true });
    writeStateFileSync(this.#file, { version: 1, secrets: this.#secrets }, { mode: 0o600 });
  }

  /** The node:http handler speaking the AWS JSON 1.1 protocol: mount it on the gateway as `secretsmanager`. */
  readonly handler: RequestHandler = awsJsonHandler({
    targetPrefix: SECRETS_MANAGER_TARGET_PREFIX,
    contentType: 'application/x-amz-json-1.1',
    maxBodyBytes: MAX_BODY_BYTES,
    // Any name under the prefix is read and parsed: `call` rejects the ones it does not implement.
    isOperation: (_name): _name is string => true,
    call: (operation, input) => this.call(operation, input),
    errorOf: (error) =>
      error instanceof SecretsManagerError
        ? error
        : { name: 'InternalServiceError', message: String(error), status: 500 },
    tooLarge: (maxBodyBytes) => ({
      name: 'InvalidRequestException',
      message: new RequestTooLargeError(maxBodyBytes).message,
      status: 413,
    }),
    unknownOperation: (target) => ({
      name: 'UnknownOperationException',
      message: `Unknown operation ${String(target ?? '')}`,
    }),
  });
}

const parse = <T>(schema: z.ZodType<T>, input: unknown): T => {
  const result = schema.safeParse(input);
  if (!result.success)
    throw new SecretsManagerError('InvalidParameterException', z.prettifyError(result.error));
  return result.data;
};
