/**
 * A realistic trace of one document's run, as X-Ray holds it: the state machine's segment with a
 * subsegment per state and an `aws` subsegment per Task attempt (Step Functions), the `AWS::Lambda` and
 * `AWS::Lambda::Function` segments of each invocation (the Lambda service), and the handler subsegment
 * with its SDK calls, sent on their own (the X-Ray SDK in the function). The run:
 *
 * - RouteEvent, MarkProcessing (a DynamoDB UpdateItem service integration);
 * - Inspect, attempt 1 on a cold start whose S3 GetObject faults (HTTP 500, after 3 SDK attempts), so
 *   the function fails;
 *   attempt 2 on the warm environment succeeds;
 * - MakeDerivatives (Parallel): Thumbnail (cold start; S3 GetObject, PutObject) beside
 *   ExtractText (cold start; Textract DetectDocumentText, S3 PutObject);
 * - IndexMetadata, whose DynamoDB PutItem fails its condition (ConditionalCheckFailedException, a 400),
 *   then Processed.
 *
 * Times are seconds after `start`; ids are fixed so tests can name entities.
 */

export const FIXTURE_DOCUMENT_ID = 'Xq3vYlJm0dC9gT7rWbN2aA';
export const STATE_MACHINE_NAME = 'Docflow-dev-DocumentPipeline';

type Document = Record<string, unknown>;

/** An X-Ray trace id for a trace that started at `epochSeconds`, with a fixed random part. */
export const fixtureTraceId = (epochSeconds: number, suffix = '0123456789abcdef01234567'): string =>
  `1-${Math.floor(epochSeconds).toString(16).padStart(8, '0')}-${suffix}`;

export interface FixtureTrace {
  readonly traceId: string;
  /** Every segment document, standalone subsegments included, as they are sent to X-Ray. */
  readonly documents: readonly Document[];
}

/** Builds the fixture trace starting at `start` (epoch seconds). */
export const fixtureTrace = (
  start: number,
  options: { traceId?: string; documentId?: string } = {},
): FixtureTrace => {
  const traceId = options.traceId ?? fixtureTraceId(start);
  const documentId = options.documentId ?? FIXTURE_DOCUMENT_ID;
  let counter = 0;
  const id = (): string => {
    counter += 1;
    return `${traceId.slice(11, 19)}${counter.toString(16).padStart(8, '0')}`;
  };
  const t = (seconds: number): number => start + seconds;
  const documents: Document[] = [];
  const region = 'us-east-1';

  const attempt = (from: number, to: number, functionName: string, failure?: Document): Document => ({
    id: id(),
    name: 'Lambda',
    namespace: 'aws',
    start_time: t(from),
    end_time: t(to),
    aws: { operation: 'Invoke', region, function_name: functionName },
    ...(failure ?? {}),
  });

  /** The Lambda service's segments for one invocation, and the handler's own subsegments. */
  const invocation = (options: {
    parent: Document;
    functionName: string;
    cold: boolean;
    calls: readonly Document[];
    handlerFields?: Document;
  }): void => {
    const from = (options.parent.start_time as number) + 0.005;
    const to = (options.parent.end_time as number) - 0.005;
    const service = {
      id: id(),
      trace_id: traceId,
      parent_id: options.parent.id,
      name: options.functionName,
      origin: 'AWS::Lambda',
      start_time: from,
      end_time: to,
      http: { response: { status: 200 } },
      aws: { request_id: `req-${counter}` },
    };
    const init = options.cold ? 0.35 : 0;
    const fn = {
      id: id(),
      trace_id: traceId,
      parent_id: service.id,
      name: options.functionName,
      origin: 'AWS::Lambda::Function',
      start_time: from + 0.01,
      end_time: to - 0.002,
      ...(options.handlerFields?.fault ? { fault: true } : {}),
      subsegments: [
        ...(options.cold
          ? [{ id: id(), name: 'Initialization', start_time: from + 0.01, end_time: from + 0.01 + init }]
          : []),
        { id: id(), name: 'Invocation', start_time: from + 0.012 + init, end_time: to - 0.01 },
        { id: id(), name: 'Overhead', start_time: to - 0.01, end_time: to - 0.003 },
      ],
    };
    const handler = {
      id: id(),
      type: 'subsegment',
      trace_id: traceId,
      parent_id: fn.id,
      name: '## index.handler',
      start_time: from + 0.015 + init,
      end_time: to - 0.012,
      annotations: { documentId, ColdStart: options.cold, Service: options.functionName },
      ...(options.handlerFields ?? {}),
    };
    documents.push(service, fn, handler);
    for (const call of options.calls) {
      documents.push({ id: id(), type: 'subsegment', trace_id: traceId, parent_id: handler.id, ...call });
    }
  };

  const sdkCall = (
    name: string,
    operation: string,
    from: number,
    to: number,
    extra: Document = {},
  ): Document => ({
    name,
    namespace: 'aws',
    start_time: t(from),
    end_time: t(to),
    aws: { operation, region, request_id: `sdk-${name}-${operation}`, retries: 1 },
    http: { response: { status: 200 } },
    ...extra,
  });

  const markProcessingCall = {
    id: id(),
    name: 'DynamoDB',
    namespace: 'aws',
    start_time: t(0.021),
    end_time: t(0.06),
    aws: { operation: 'UpdateItem', region, table_name: 'Docflow-dev-Metadata' },
  };
  const inspect1 = attempt(0.1, 0.9, 'docflow-inspect', {
    fault: true,
    cause: {
      exceptions: [
        { id: 'e1a1000000000001', type: 'Lambda.Unknown', message: 'We encountered an internal error.' },
      ],
    },
  });
  const inspect2 = attempt(1.1, 1.55, 'docflow-inspect');
  const thumbnail = attempt(1.62, 2.2, 'docflow-thumbnail');
  const extract = attempt(1.62, 2.85, 'docflow-extract-text');
  const index = attempt(2.91, 3.1, 'docflow-index-metadata');

  const machine = {
    id: id(),
    trace_id: traceId,
    name: STATE_MACHINE_NAME,
    origin: 'AWS::StepFunctions::StateMachine',
    start_time: t(0),
    end_time: t(3.2),
    aws: {
      execution_arn: `arn:aws:states:${region}:000000000000:execution:${STATE_MACHINE_NAME}:report-pdf-1`,
    },
    subsegments: [
      { id: id(), name: 'RouteEvent', start_time: t(0.005), end_time: t(0.015) },
      {
        id: id(),
        name: 'MarkProcessing',
        start_time: t(0.02),
        end_time: t(0.07),
        subsegments: [markProcessingCall],
      },
      {
        id: id(),
        name: 'Inspect',
        start_time: t(0.08),
        end_time: t(1.6),
        subsegments: [inspect1, inspect2],
      },
      {
        id: id(),
        name: 'MakeDerivatives',
        start_time: t(1.6),
        end_time: t(2.9),
        subsegments: [
          { id: id(), name: 'Thumbnail', start_time: t(1.61), end_time: t(2.21), subsegments: [thumbnail] },
          { id: id(), name: 'ExtractText', start_time: t(1.61), end_time: t(2.86), subsegments: [extract] },
        ],
      },
      {
        id: id(),
        name: 'IndexMetadata',
        start_time: t(2.9),
        end_time: t(3.12),
        subsegments: [index],
      },
      { id: id(), name: 'Processed', start_time: t(3.15), end_time: t(3.16) },
    ],
  };
  documents.push(machine);

  invocation({
    parent: inspect1,
    functionName: 'docflow-inspect',
    cold: true,
    calls: [
      sdkCall('S3', 'GetObject', 0.5, 0.85, {
        fault: true,
        aws: { operation: 'GetObject', region, request_id: 'sdk-S3-GetObject', retries: 3 },
        http: { response: { status: 500 } },
        cause: {
          exceptions: [
            { type: 'InternalError', message: 'We encountered an internal error. Please try again.' },
          ],
        },
      }),
    ],
    handlerFields: {
      fault: true,
      cause: { exceptions: [{ type: 'InternalError', message: 'We encountered an internal error.' }] },
    },
  });
  invocation({
    parent: inspect2,
    functionName: 'docflow-inspect',
    cold: false,
    calls: [sdkCall('S3', 'GetObject', 1.13, 1.3)],
  });
  invocation({
    parent: thumbnail,
    functionName: 'docflow-thumbnail',
    cold: true,
    calls: [sdkCall('S3', 'GetObject', 2.0, 2.05), sdkCall('S3', 'PutObject', 2.1, 2.18)],
  });
  invocation({
    parent: extract,
    functionName: 'docflow-extract-text',
    cold: true,
    calls: [sdkCall('Textract', 'DetectDocumentText', 2.0, 2.7), sdkCall('S3', 'PutObject', 2.72, 2.8)],
  });
  invocation({
    parent: index,
    functionName: 'docflow-index-metadata',
    cold: false,
    calls: [
      sdkCall('DynamoDB', 'PutItem', 2.93, 3.0, {
        error: true,
        http: { response: { status: 400 } },
        cause: {
          exceptions: [
            { type: 'ConditionalCheckFailedException', message: 'The conditional request failed' },
          ],
        },
      }),
    ],
    handlerFields: { annotations: { documentId, ColdStart: false, status: 'PROCESSED' } },
  });
  return { traceId, documents };
};

/**
 * The starter's trace that started the run: its segment (the Lambda function's) with a per-record
 * subsegment carrying the execution's trace id and the document id.
 */
export const fixtureStarterTrace = (
  start: number,
  executionTraceId: string,
  documentId = FIXTURE_DOCUMENT_ID,
) => {
  const traceId = fixtureTraceId(start, 'fedcba9876543210fedcba98');
  return {
    traceId,
    documents: [
      {
        id: 'a1b2c3d4e5f60001',
        trace_id: traceId,
        name: 'docflow-starter',
        origin: 'AWS::Lambda::Function',
        start_time: start,
        end_time: start + 0.2,
        subsegments: [
          {
            id: 'a1b2c3d4e5f60002',
            name: 'StartExecution record',
            start_time: start + 0.01,
            end_time: start + 0.19,
            annotations: { executionTraceId, startedDocumentId: documentId },
          },
        ],
      },
    ],
  };
};

/** The documents as BatchGetTraces returns a trace (unassembled: standalone subsegments stay apart). */
export const asXRayTrace = (trace: { traceId: string; documents: readonly Document[] }) => ({
  Id: trace.traceId,
  Segments: trace.documents.map((document) => ({
    Id: String(document.id),
    Document: JSON.stringify(document),
  })),
});
