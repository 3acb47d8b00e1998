import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import type * as Errors from '../../../../../lambdas/shared/documents/errors';
import type * as Wrapper from '../../../../../lambdas/shared/runtime/lambda-handler';
import type * as Powertools from '../../../../../lambdas/shared/runtime/powertools';
import { lambdaContext } from '../../../../fixtures/lambda-context';

/** A log line as the Powertools Logger writes it (JSON, one per line). */
interface LogLine {
  readonly level: string;
  readonly message: string;
  readonly [key: string]: unknown;
}

const contextFor = (awsRequestId: string): Context => ({ ...lambdaContext('docflow-test'), awsRequestId });

describe('lambdaHandler', () => {
  let lambdaHandler: typeof Wrapper.lambdaHandler;
  let logger: typeof Powertools.logger;
  let metrics: typeof Powertools.metrics;
  let scopeToDocument: typeof Powertools.scopeToDocument;
  let CorruptDocumentError: typeof Errors.CorruptDocumentError;
  let stdout: MockInstance<typeof process.stdout.write>;
  let stderr: MockInstance<typeof process.stderr.write>;
  let publish: MockInstance<typeof Powertools.metrics.publishStoredMetrics>;

  /** What the Logger wrote (info to stdout, warnings and errors to stderr), parsed. */
  const logLines = (): LogLine[] =>
    [...stdout.mock.calls, ...stderr.mock.calls]
      .map(([chunk]) => String(chunk).trim())
      .filter((text) => text.startsWith('{'))
      .map((text) => JSON.parse(text) as LogLine);
  const written = (): string =>
    [...stdout.mock.calls, ...stderr.mock.calls].map(([chunk]) => String(chunk)).join('');

  beforeEach(async () => {
    // The Logger reads its level when it is created (the tests run with it SILENT): fresh instances.
    vi.resetModules();
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
    ({ lambdaHandler } = await import('../../../../../lambdas/shared/runtime/lambda-handler'));
    ({ logger, metrics, scopeToDocument } = await import('../../../../../lambdas/shared/runtime/powertools'));
    ({ CorruptDocumentError } = await import('../../../../../lambdas/shared/documents/errors'));
    stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    publish = vi.spyOn(metrics, 'publishStoredMetrics');
  });

  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    metrics.clearMetrics();
  });

  it("passes the event and Lambda's context to the handler as Lambda gives them", async () => {
    // Prepare
    const event = { document: { id: 'doc-1' } };
    const context = contextFor('request-1');
    const seen: unknown[] = [];
    const handler = lambdaHandler(async (received: typeof event, receivedContext: Context) => {
      seen.push(received, receivedContext);
      return { ok: true };
    });

    // Act
    const result = await handler(event, context);

    // Assess
    expect(result).toEqual({ ok: true });
    expect(seen[0]).toBe(event);
    expect(seen[1]).toBe(context);
  });

  it("puts the invocation's context on every log line, and the document id only on its own invocation's", async () => {
    // Prepare
    const handler = lambdaHandler(async (event: { id?: string }, _context: Context) => {
      if (event.id) scopeToDocument(event.id);
      logger.info('working');
    });

    // Act
    await handler({ id: 'doc-1' }, contextFor('request-1'));
    await handler({}, contextFor('request-2'));

    // Assess
    const [first, second] = logLines().filter((line) => line.message === 'working');
    expect(first).toMatchObject({
      function_request_id: 'request-1',
      function_name: 'docflow-test',
      function_arn: 'arn:aws:lambda:us-east-1:123456789012:function:docflow-test',
      documentId: 'doc-1',
    });
    expect(second).toMatchObject({ function_request_id: 'request-2', function_name: 'docflow-test' });
    expect(second).not.toHaveProperty('documentId');
  });

  it('publishes the metrics an invocation recorded, once, after the handler', async () => {
    // Prepare
    const handler = lambdaHandler(async (_event: unknown, _context: Context) => {
      metrics.addMetric('DocumentProcessed', MetricUnit.Count, 1);
      expect(publish).not.toHaveBeenCalled();
    });

    // Act
    await handler({}, contextFor('request-1'));

    // Assess
    expect(publish).toHaveBeenCalledOnce();
    expect(metrics.hasStoredMetrics()).toBe(false);
  });

  it('publishes the recorded metrics when the handler throws, and the error still reaches Lambda', async () => {
    // Prepare
    const failure = new Error('Textract is down');
    const handler = lambdaHandler(async (_event: unknown, _context: Context) => {
      metrics.addMetric('TextractThrottled', MetricUnit.Count, 1);
      throw failure;
    });

    // Act & Assess
    await expect(handler({}, contextFor('request-1'))).rejects.toBe(failure);
    expect(publish).toHaveBeenCalledOnce();
    expect(metrics.hasStoredMetrics()).toBe(false);
  });

  it('publishes nothing, and warns nothing, when the invocation recorded no metric', async () => {
    // Prepare
    const handler = lambdaHandler(async (_event: unknown, _context: Context) => 'dropped a test event');

    // Act
    await handler({}, contextFor('request-1'));

    // Assess
    expect(publish).not.toHaveBeenCalled();
    expect(written()).not.toContain('No application metrics');
  });

  it('logs a rejection with its reason and the document, and lets the very error propagate', async () => {
    // Prepare
    const rejection = new CorruptDocumentError('VipsJpeg: premature end of JPEG image');
    const handler = lambdaHandler(async (_event: unknown, _context: Context) => {
      scopeToDocument('doc-1');
      throw rejection;
    });

    // Act & Assess
    await expect(handler({}, contextFor('request-1'))).rejects.toBe(rejection);
    expect(logLines().filter((line) => line.message === 'document rejected')).toEqual([
      expect.objectContaining({
        level: 'WARN',
        reason: 'CORRUPT',
        detail: 'CORRUPT: VipsJpeg: premature end of JPEG image',
        documentId: 'doc-1',
        function_request_id: 'request-1',
      }),
    ]);
  });

  it('leaves any other error to the caller, without calling it a rejection', async () => {
    // Prepare
    const failure = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    const handler = lambdaHandler(async (_event: unknown, _context: Context) => {
      throw failure;
    });

    // Act & Assess
    await expect(handler({}, contextFor('request-1'))).rejects.toBe(failure);
    expect(logLines().filter((line) => line.message === 'document rejected')).toEqual([]);
  });
});
