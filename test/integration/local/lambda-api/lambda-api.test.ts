import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, startGateway } from '../../../../local/gateway';
import { LambdaRunner, type LocalFunction } from '../../../../local/lambda/runner';
import { type DeployedFunction, LocalLambdaApi } from '../../../../local/lambda-api/service';
import { bundleFixture } from '../../../fixtures/lambda-handlers/bundle';
import { TEST_AWS, testArn } from '../../../support/aws';

const run = promisify(execFile);
const REGION = TEST_AWS.region;

const asset = await bundleFixture('event-recorder.ts');
const records = mkdtempSync(join(tmpdir(), 'docflow-lambda-api-'));

const recordCost: LocalFunction & DeployedFunction = {
  name: 'Docflow-dev-RecordCost-ABCDEF123456',
  arn: testArn.lambda('Docflow-dev-RecordCost-ABCDEF123456'),
  codeDirectory: asset.codeDirectory,
  handler: 'index.handler',
  runtime: 'nodejs24.x',
  timeoutSeconds: 30,
  memoryMb: 1024,
  environment: { RECORD_DIR: records, POWERTOOLS_SERVICE_NAME: 'record-cost' },
  tracing: 'Active',
  architectures: ['arm64'],
};
const failing: LocalFunction & DeployedFunction = {
  ...recordCost,
  name: 'always-fails',
  arn: testArn.lambda('always-fails'),
  memoryMb: 128,
  tracing: 'PassThrough',
  environment: { RECORD_DIR: records, FAIL_AFTER_RECORDING: 'true' },
  architectures: undefined as never,
};

let runner: LambdaRunner;
let api: LocalLambdaApi;
let gateway: RunningGateway;
let lambda: LambdaClient;

beforeAll(async () => {
  runner = new LambdaRunner({ region: REGION });
  api = new LocalLambdaApi({
    invoke: (arn, payload, options) => runner.invoke(arn, payload, options),
    sendToQueue: async () => {
      throw new Error('no dead-letter queue in this test');
    },
    retryDelaysMs: [],
  });
  for (const fn of [recordCost, failing]) {
    runner.register(fn);
    api.register(fn);
  }
  gateway = await startGateway({ port: 0, routes: { lambda: api.handler } });
  lambda = new LambdaClient({ ...TEST_AWS, endpoint: gateway.endpoint, maxAttempts: 1 });
}, 60_000);

afterAll(async () => {
  lambda?.destroy();
  await api?.stop();
  await runner?.close();
  await gateway?.stop();
  await asset.remove();
  rmSync(records, { recursive: true, force: true });
});

/** What Lambda reports as CodeSize and CodeSha256, computed here from the package folder itself. */
const packageDigest = () => {
  const files = readdirSync(asset.codeDirectory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  const hash = createHash('sha256');
  let size = 0;
  for (const file of files) {
    const bytes = readFileSync(file);
    size += bytes.byteLength;
    hash.update(file.slice(asset.codeDirectory.length)).update(bytes);
  }
  return { size, sha256: hash.digest('base64') };
};

describe('the local Lambda API', () => {
  it('answers GetFunctionConfiguration through @aws-sdk/client-lambda, by name and by ARN', async () => {
    // Act
    const byName = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: recordCost.name }));
    const byArn = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: recordCost.arn }));

    // Assess
    const { size, sha256 } = packageDigest();
    expect(byName).toMatchObject({
      FunctionName: recordCost.name,
      FunctionArn: recordCost.arn,
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      MemorySize: 1024,
      Timeout: 30,
      Architectures: ['arm64'],
      Environment: { Variables: { RECORD_DIR: records, POWERTOOLS_SERVICE_NAME: 'record-cost' } },
      TracingConfig: { Mode: 'Active' },
      State: 'Active',
      LastUpdateStatus: 'Successful',
      PackageType: 'Zip',
      Version: '$LATEST',
      CodeSize: size,
      CodeSha256: sha256,
      LastModified: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/),
    });
    expect({ ...byArn, $metadata: undefined }).toEqual({ ...byName, $metadata: undefined });
    expect(size).toBeGreaterThan(0);
  });

  it('answers ResourceNotFoundException for a function that is not deployed, or another version', async () => {
    // Act and assess
    await expect(lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'nope' }))).rejects.toThrow(
      ResourceNotFoundException,
    );
    await expect(lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'nope' }))).rejects.toThrow(
      `Function not found: ${testArn.lambda('nope')}`,
    );
    await expect(
      lambda.send(new GetFunctionConfigurationCommand({ FunctionName: recordCost.name, Qualifier: '3' })),
    ).rejects.toThrow(ResourceNotFoundException);
  });

  it('lists the functions and gets one with its configuration', async () => {
    // Act
    const list = await lambda.send(new ListFunctionsCommand({}));
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'always-fails' }));

    // Assess
    expect(list.Functions?.map((fn) => [fn.FunctionName, fn.MemorySize, fn.Architectures])).toEqual([
      [recordCost.name, 1024, ['arm64']],
      ['always-fails', 128, ['x86_64']],
    ]);
    expect(got.Configuration?.FunctionArn).toBe(failing.arn);
  });

  it('invokes RequestResponse and answers the result, or the function error as Lambda does', async () => {
    // Act
    const ok = await lambda.send(
      new InvokeCommand({ FunctionName: recordCost.name, Payload: JSON.stringify({ hello: 'world' }) }),
    );
    const failed = await lambda.send(new InvokeCommand({ FunctionName: 'always-fails', Payload: '{}' }));

    // Assess
    expect(ok.StatusCode).toBe(200);
    expect(ok.FunctionError).toBeUndefined();
    const { recorded } = JSON.parse(new TextDecoder().decode(ok.Payload)) as { recorded: string };
    expect(JSON.parse(readFileSync(recorded, 'utf8'))).toEqual({ hello: 'world' });
    expect(failed.StatusCode).toBe(200);
    expect(failed.FunctionError).toBe('Unhandled');
    expect(JSON.parse(new TextDecoder().decode(failed.Payload))).toMatchObject({
      errorType: 'RecordedFailureError',
      errorMessage: expect.stringContaining('then failed on purpose'),
    });
  });

  it('accepts an Event invocation with 202 and runs the function afterwards', async () => {
    // Act
    const accepted = await lambda.send(
      new InvokeCommand({
        FunctionName: recordCost.arn,
        InvocationType: 'Event',
        Payload: JSON.stringify({ async: 'yes' }),
      }),
    );
    await api.idle();

    // Assess
    expect(accepted.StatusCode).toBe(202);
    const bodies = readdirSync(records).map((file) => readFileSync(join(records, file), 'utf8'));
    expect(bodies).toContain(JSON.stringify({ async: 'yes' }));
  });

  it('refuses a payload that is not JSON with InvalidRequestContentException', async () => {
    // Act and assess
    await expect(
      lambda.send(new InvokeCommand({ FunctionName: recordCost.name, Payload: '{nope' })),
    ).rejects.toMatchObject({ name: 'InvalidRequestContentException' });
  });

  it.skipIf(!process.env.PATH?.split(':').some((dir) => readdirSafe(dir).includes('aws')))(
    'answers `aws lambda get-function-configuration`',
    async () => {
      // Act
      const { stdout } = await run(
        'aws',
        [
          'lambda',
          'get-function-configuration',
          '--function-name',
          recordCost.name,
          '--endpoint-url',
          gateway.endpoint,
        ],
        {
          env: {
            ...process.env,
            AWS_ACCESS_KEY_ID: 'test',
            AWS_SECRET_ACCESS_KEY: 'test',
            AWS_DEFAULT_REGION: REGION,
          },
        },
      );

      // Assess
      expect(JSON.parse(stdout)).toMatchObject({
        FunctionName: recordCost.name,
        MemorySize: 1024,
        Timeout: 30,
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
      });
    },
  );
});

function readdirSafe(directory: string): string[] {
  try {
    return readdirSync(directory);
  } catch {
    return [];
  }
}
