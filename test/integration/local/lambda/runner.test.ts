import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FunctionError } from '../../../../local/lambda/invoke-errors';
import { LambdaRunner, type LocalFunction } from '../../../../local/lambda/runner';
import type { LambdaInvoker } from '../../../../local/stepfunctions/task-bindings';
import type { BehaviourEvent } from '../../../fixtures/lambda-handlers/behaviours';
import { bundleFixture, fixtureFunction } from '../../../fixtures/lambda-handlers/bundle';
import { testArn } from '../../../support/aws';
import { failureOf } from '../../../support/failure-of';

// The bundle, as DocflowFunction builds a function's asset.
const asset = await bundleFixture('behaviours.ts');

const behaviours = (name: string, overrides: Partial<LocalFunction> = {}): LocalFunction =>
  fixtureFunction(asset.codeDirectory, name, {
    timeoutSeconds: 5,
    ...overrides,
  });

interface Echo {
  readonly value: unknown;
  readonly environmentId: string;
  readonly invocations: number;
}

describe('LambdaRunner', () => {
  const runner = new LambdaRunner({
    region: 'eu-west-1',
    environment: { POWERTOOLS_LOG_LEVEL: 'SILENT', SHARED_SETTING: 'from-the-runner' },
    maxConcurrencyPerFunction: 2,
  });
  const invoke = (name: string, event: BehaviourEvent, traceHeader?: string): Promise<unknown> =>
    runner.invoke(name, event, traceHeader ? { traceHeader } : {});

  beforeAll(() => {
    runner.register(
      behaviours('alpha', {
        environment: {
          GREETING: 'hello from alpha',
          ONLY_ALPHA: 'yes',
        },
      }),
    );
    runner.register(behaviours('beta', { environment: { GREETING: 'hello from beta' }, memoryMb: 512 }));
    runner.register(behaviours('hangs', { timeoutSeconds: 1 }));
    runner.register(behaviours('hoards', { memoryMb: 128, timeoutSeconds: 30 }));
    runner.register(behaviours('crashes'));
    runner.register(behaviours('pair'));
    runner.register(behaviours('single', { reservedConcurrency: 1 }));
    runner.register(behaviours('disabled', { reservedConcurrency: 0 }));
    runner.register(behaviours('misnamed', { handler: 'index.main' }));
    runner.register(behaviours('nowhere', { handler: 'app.handler' }));
  });

  afterAll(async () => {
    await runner.close();
    await asset.remove();
  });

  it('returns the JSON result and reuses the warm environment', async () => {
    // Prepare
    const value = { text: 'é ✓', when: new Date('2026-11-23T12:00:00Z'), nothing: undefined };

    // Act
    const first = (await invoke('alpha', { action: 'echo', value })) as Echo;
    const second = (await invoke('alpha', { action: 'echo', value: [1, 2] })) as Echo;

    // Assess
    expect(first.value).toEqual({ text: 'é ✓', when: '2026-11-23T12:00:00.000Z' });
    expect(second.value).toEqual([1, 2]);
    expect(second.environmentId).toBe(first.environmentId);
    expect(second.invocations).toBe(first.invocations + 1);
  });

  it("gives each function its own environment variables and Lambda's, and none of the host's", async () => {
    // Prepare
    process.env.DOCFLOW_HOST_ONLY = 'must not leak';
    const names = [
      'GREETING',
      'ONLY_ALPHA',
      'SHARED_SETTING',
      'DOCFLOW_HOST_ONLY',
      'AWS_REGION',
      'AWS_LAMBDA_FUNCTION_NAME',
      'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
      'AWS_LAMBDA_FUNCTION_VERSION',
      'AWS_LAMBDA_LOG_GROUP_NAME',
      'AWS_LAMBDA_INITIALIZATION_TYPE',
      'AWS_EXECUTION_ENV',
      'LAMBDA_TASK_ROOT',
      'LAMBDA_RUNTIME_DIR',
      'AWS_XRAY_CONTEXT_MISSING',
      'TZ',
      'LANG',
      'NODE_PATH',
      'AWS_LAMBDA_RUNTIME_API',
      '_HANDLER',
    ];

    try {
      // Act
      const alpha = await invoke('alpha', { action: 'env', names });
      const beta = await invoke('beta', { action: 'env', names });

      // Assess
      expect(alpha).toEqual({
        GREETING: 'hello from alpha',
        ONLY_ALPHA: 'yes',
        SHARED_SETTING: 'from-the-runner',
        DOCFLOW_HOST_ONLY: null,
        AWS_REGION: 'eu-west-1',
        AWS_LAMBDA_FUNCTION_NAME: 'alpha',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/alpha',
        AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
        LAMBDA_TASK_ROOT: asset.codeDirectory,
        LAMBDA_RUNTIME_DIR: expect.stringMatching(/\/local\/lambda$/),
        AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
        TZ: ':UTC',
        LANG: 'en_US.UTF-8',
        NODE_PATH: asset.codeDirectory,
        // No Runtime API is served: the runner talks to the runtime over IPC.
        AWS_LAMBDA_RUNTIME_API: null,
        _HANDLER: 'index.handler',
      });
      expect(beta).toMatchObject({
        GREETING: 'hello from beta',
        ONLY_ALPHA: null,
        AWS_LAMBDA_FUNCTION_NAME: 'beta',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
      });
      expect(process.env.GREETING).toBeUndefined();
    } finally {
      delete process.env.DOCFLOW_HOST_ONLY;
    }
  });

  it("starts each environment as Lambda's Node.js bootstrap does: heap sized from the memory, in the task root", async () => {
    // Act
    const small = (await invoke('alpha', { action: 'runtime' })) as Record<string, unknown>;
    const large = (await invoke('beta', { action: 'runtime' })) as Record<string, unknown>;

    // Assess
    // 256 MB: new space 25, semi space 12, old space 256 - 25 = 231.
    expect(small.execArgv).toEqual(
      expect.arrayContaining([
        '--expose-gc',
        '--max-http-header-size',
        '81920',
        '--max-semi-space-size=12',
        '--max-old-space-size=231',
      ]),
    );
    expect(large.execArgv).toEqual(
      expect.arrayContaining(['--max-semi-space-size=25', '--max-old-space-size=461']),
    );
    // V8's limit is the old space plus the young generation, a few semi spaces (not Node's default of GBs).
    expect(small.heapLimitMb).toBeGreaterThanOrEqual(231);
    expect(small.heapLimitMb).toBeLessThanOrEqual(231 + 4 * 12);
    expect(large.heapLimitMb).toBeGreaterThanOrEqual(461);
    expect(large.heapLimitMb).toBeLessThanOrEqual(461 + 4 * 25);
    expect(small.gcExposed).toBe(true);
    expect(small.cwd).toBe(asset.codeDirectory);
  });

  it('passes a Lambda context and the trace header of the invocation', async () => {
    // Prepare
    const root = '1-6b048f20-e5e1da24c6a2dfee00a436be';
    const traceHeader = `Root=${root};Parent=555788b76901329b;Sampled=1`;
    const qualifiedArn = `${testArn.lambda('alpha')}:$LATEST`;

    // Act
    const traced = (await runner.invoke(qualifiedArn, { action: 'context' }, { traceHeader })) as Record<
      string,
      unknown
    >;
    const untraced = (await invoke('alpha', { action: 'context' })) as Record<string, unknown>;

    // Assess
    expect(traced).toMatchObject({
      functionName: 'alpha',
      functionVersion: '$LATEST',
      invokedFunctionArn: qualifiedArn,
      memoryLimitInMB: '256',
      logGroupName: '/aws/lambda/alpha',
    });
    // A sampled caller is traced even in PassThrough mode: the function's Parent is Lambda's function segment.
    expect(traced.traceHeader).toMatch(new RegExp(`^Root=${root};Parent=[0-9a-f]{16};Sampled=1$`));
    expect(traced.traceHeader).not.toContain('555788b76901329b');
    expect(traced.awsRequestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(traced.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(traced.remainingMs).toBeGreaterThan(4_000);
    expect(traced.remainingMs).toBeLessThanOrEqual(5_000);
    expect(untraced.awsRequestId).not.toBe(traced.awsRequestId);
    expect(untraced.traceHeader).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
  });

  it('rejects with the name and message of the error the handler threw, and stays warm', async () => {
    // Prepare
    const before = (await invoke('alpha', { action: 'echo' })) as Echo;

    // Act
    const error = await failureOf(invoke('alpha', { action: 'reject-document', detail: 'a .exe file' }));
    const after = (await invoke('alpha', { action: 'echo' })) as Echo;

    // Assess
    expect(error).toBeInstanceOf(FunctionError);
    expect(error.name).toBe('UnsupportedDocumentError');
    expect(error.message).toBe('UNSUPPORTED_TYPE: a .exe file');
    expect((error as FunctionError).toJSON()).toMatchObject({
      errorType: 'UnsupportedDocumentError',
      errorMessage: 'UNSUPPORTED_TYPE: a .exe file',
    });
    expect(error.stack).toContain('behaviours.ts');
    expect(after.environmentId).toBe(before.environmentId);
  });

  it('kills a handler that never returns at its timeout, and the next invocation starts fresh', async () => {
    // Prepare
    const before = (await invoke('hangs', { action: 'echo' })) as Echo;
    const startedAt = Date.now();

    // Act
    const error = await failureOf(invoke('hangs', { action: 'spin' }));
    const elapsedMs = Date.now() - startedAt;
    const after = (await invoke('hangs', { action: 'echo' })) as Echo;

    // Assess
    expect(error.name).toBe('Sandbox.Timedout');
    expect(error.message).toMatch(/^RequestId: [0-9a-f-]{36} Error: Task timed out after 1\.\d\d seconds$/);
    expect(elapsedMs).toBeGreaterThanOrEqual(1_000);
    expect(elapsedMs).toBeLessThan(3_000);
    expect(after.environmentId).not.toBe(before.environmentId);
    expect(after.invocations).toBe(1);
  });

  it('stops a handler that allocates without bound at the heap its memory size gives', async () => {
    // Act
    const error = await failureOf(invoke('hoards', { action: 'allocate' }));
    const after = (await invoke('hoards', { action: 'echo', value: 'still here' })) as Echo;

    // Assess
    expect(error.name).toBe('Runtime.OutOfMemory');
    expect(error.message).toMatch(
      /^RequestId: [0-9a-f-]{36} Error: Runtime exited with error: signal: aborted$/,
    );
    expect(after.value).toBe('still here');
  });

  it('reports crashes of the runtime as Lambda does', async () => {
    // Act
    const rejection = await failureOf(
      invoke('crashes', { action: 'reject-later', message: 'nobody awaited me' }),
    );
    const uncaught = await failureOf(
      invoke('crashes', { action: 'throw-later', message: 'thrown from a timer' }),
    );
    const exit = await failureOf(invoke('crashes', { action: 'exit', code: 3 }));
    const after = (await invoke('crashes', { action: 'echo', value: 1 })) as Echo;

    // Assess
    expect([rejection.name, rejection.message]).toEqual([
      'Runtime.UnhandledPromiseRejection',
      'Error: nobody awaited me',
    ]);
    expect([uncaught.name, uncaught.message]).toEqual(['RangeError', 'thrown from a timer']);
    expect(exit.name).toBe('Runtime.ExitError');
    expect(exit.message).toMatch(/Error: Runtime exited with error: exit status 3$/);
    expect(after.invocations).toBe(1);
  });

  it('fails at init when the handler is not exported or its module is not in the asset', async () => {
    // Act
    const misnamed = await failureOf(invoke('misnamed', { action: 'echo' }));
    const nowhere = await failureOf(invoke('nowhere', { action: 'echo' }));

    // Assess
    expect(misnamed.name).toBe('Runtime.HandlerNotFound');
    expect(misnamed.message).toBe('index.main is undefined or not exported');
    expect(nowhere.name).toBe('Runtime.ImportModuleError');
    expect(nowhere.message).toBe("Error: Cannot find module 'app'");
  });

  it('starts an environment ahead of the first invocation, which then runs warm', async () => {
    // Prepare
    runner.register(behaviours('early'), { prewarm: true });

    // Act
    await runner.started();
    const first = (await invoke('early', { action: 'echo' })) as Echo;

    // Assess
    expect(first.invocations).toBe(1);
    await expect(runner.prewarm('misnamed')).rejects.toThrow(
      /^function misnamed cannot start: Runtime\.HandlerNotFound: index\.main is undefined or not exported$/,
    );
  });

  describe('concurrency', () => {
    let dir: string;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'docflow-lambda-concurrency-'));
    });

    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    const holdMany = async (name: string, count: number, ms: number): Promise<number[]> => {
      const results = await Promise.all(
        Array.from({ length: count }, () => invoke(name, { action: 'hold', dir: join(dir, name), ms })),
      );
      return results.map((result) => (result as { concurrent: number }).concurrent);
    };

    it('runs at most the runner-wide limit at once and queues the rest', async () => {
      // Prepare
      await mkdir(join(dir, 'pair'));
      await invoke('pair', { action: 'echo' });
      const startedAt = Date.now();

      // Act
      const seen = await holdMany('pair', 6, 300);

      // Assess
      expect(Math.max(...seen)).toBe(2);
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(900);
      expect(runner.concurrencyOf('pair')).toBe(2);
    });

    it('runs at most the reserved concurrency at once', async () => {
      // Prepare
      await mkdir(join(dir, 'single'));

      // Act
      const seen = await holdMany('single', 3, 100);

      // Assess
      expect(seen).toEqual([1, 1, 1]);
      expect(runner.concurrencyOf('single')).toBe(1);
    });

    it('throttles every invocation of a function with reserved concurrency 0', async () => {
      // Act
      const error = await failureOf(invoke('disabled', { action: 'echo' }));

      // Assess
      expect(error.name).toBe('Lambda.TooManyRequestsException');
    });
  });

  it('enforces the 6 MB invoke payload limits', async () => {
    // Act
    const request = await failureOf(invoke('alpha', { action: 'echo', value: 'x'.repeat(6 * 1024 * 1024) }));
    const response = await failureOf(invoke('alpha', { action: 'respond', bytes: 6 * 1024 * 1024 + 200 }));

    // Assess
    expect(request.name).toBe('Lambda.RequestTooLargeException');
    expect(response.name).toBe('Function.ResponseSizeTooLarge');
    expect(response.message).toContain('6291556 bytes');
  });

  it('rejects an unknown function as Lambda does', async () => {
    // Act
    const error = await failureOf(invoke('nobody', { action: 'echo' }));

    // Assess
    expect(error.name).toBe('Lambda.ResourceNotFoundException');
    expect(error.message).toBe('Function not found: nobody');
  });

  it('serves as the Step Functions task bindings’ Lambda invoker', async () => {
    // Prepare
    const invokeLambda: LambdaInvoker = (functionArn, payload) => runner.invoke(functionArn, payload);

    // Act
    const result = (await invokeLambda(testArn.lambda('beta'), {
      action: 'echo',
      value: 'from a Task',
    })) as Echo;

    // Assess
    expect(result.value).toBe('from a Task');
  });
});
