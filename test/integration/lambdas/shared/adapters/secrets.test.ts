import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedSecretString } from '../../../../../lambdas/shared/adapters/secrets';
import { LocalSecretsManager } from '../../../../../local/secrets/service';
import { TEST_AWS } from '../../../../support/aws';

let server: Server;
let client: SecretsManagerClient;
let reads = 0;

beforeAll(async () => {
  const secrets = new LocalSecretsManager();
  server = createServer((request, response) => {
    if (String(request.headers['x-amz-target']).endsWith('GetSecretValue')) reads += 1;
    secrets.handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  client = new SecretsManagerClient({ ...TEST_AWS, endpoint: `http://127.0.0.1:${port}` });
});

afterAll(async () => {
  client.destroy();
  await new Promise((resolve) => server.close(resolve));
});

describe('cachedSecretString', () => {
  it('reads on first use, serves the cache within its age, reads again after it, and never caches a failure', async () => {
    // Prepare
    const name = 'cursor-key-cache-test';
    const read = cachedSecretString(client, name, 1);

    // Act
    const missing = await read().then(
      () => 'read',
      (error: Error) => `${error.name}: ${(error.cause as Error | undefined)?.name}`,
    );
    await client.send(new CreateSecretCommand({ Name: name, SecretString: 'key-1' }));
    reads = 0;
    const first = await read();
    const cached = await read();
    const readsWithinAge = reads;
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const afterAge = await read();

    // Assess
    expect(missing).toBe('GetParameterError: ResourceNotFoundException');
    expect([first, cached, afterAge]).toEqual(['key-1', 'key-1', 'key-1']);
    expect(readsWithinAge).toBe(1);
    expect(reads).toBe(2);
  });
});
