import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** Reads a secret's current string value; callers call it per request and get the cached value. */
export type SecretStringReader = () => Promise<string>;

/**
 * A secret's string value through Powertools Parameters: read on first use (inside a request, so the
 * call is on its trace), then served from memory until `maxAgeSeconds` have passed, so a rotated
 * secret reaches warm environments. A failed read is not cached (the next call tries again) and rejects
 * with Powertools' `GetParameterError`, the SDK's error as its `cause`. Pass the
 * tracer-captured client so the read appears on the trace. A secret never travels in plain
 * environment variables: only its ARN does.
 */
export const cachedSecretString = (
  client: SecretsManagerClient,
  secretId: string,
  maxAgeSeconds: number,
): SecretStringReader => {
  const provider = new SecretsProvider({ awsSdkV3Client: client });
  return async () => {
    const value = await provider.get(secretId, { maxAge: maxAgeSeconds });
    if (typeof value !== 'string') throw new Error(`secret ${secretId} has no string value`);
    return value;
  };
};
