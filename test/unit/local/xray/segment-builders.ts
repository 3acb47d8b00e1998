import { randomBytes } from 'node:crypto';

/** A trace id of X-Ray's format for a request made at `epochSeconds`. */
export const newTraceId = (epochSeconds = Math.floor(Date.now() / 1000)): string =>
  `1-${Math.floor(epochSeconds).toString(16).padStart(8, '0')}-${randomBytes(12).toString('hex')}`;

export const newId = (): string => randomBytes(8).toString('hex');

type Fields = Record<string, unknown>;

/** A complete segment document. */
export const segment = (traceId: string, fields: Fields & { name: string; start_time: number }): Fields => ({
  id: newId(),
  trace_id: traceId,
  end_time: fields.start_time + 1,
  ...fields,
});

/** A subsegment as the X-Ray SDK sends it on its own in Lambda: `type`, `trace_id`, `parent_id`. */
export const standalone = (
  traceId: string,
  parentId: string,
  fields: Fields & { name: string; start_time: number },
): Fields => ({
  id: newId(),
  type: 'subsegment',
  trace_id: traceId,
  parent_id: parentId,
  end_time: fields.start_time + 0.1,
  ...fields,
});

export const json = (...documents: Fields[]): string[] =>
  documents.map((document) => JSON.stringify(document));

/**
 * One Lambda invocation as X-Ray records it: the Lambda service's `AWS::Lambda` segment, the
 * function's `AWS::Lambda::Function` segment, and the handler subsegment (with an annotation) and an
 * S3 call that the function's X-Ray SDK streams on its own.
 */
export const lambdaInvocation = (options: {
  traceId: string;
  functionName: string;
  start: number;
  documentId: string;
  parentId?: string;
  error?: boolean;
}) => {
  const { traceId, functionName, start } = options;
  const service = segment(traceId, {
    name: functionName,
    origin: 'AWS::Lambda',
    start_time: start,
    end_time: start + 0.5,
    ...(options.parentId ? { parent_id: options.parentId } : {}),
    http: { response: { status: 200 } },
  });
  const fn = segment(traceId, {
    name: functionName,
    origin: 'AWS::Lambda::Function',
    parent_id: service.id,
    start_time: start + 0.01,
    end_time: start + 0.45,
    subsegments: [{ id: newId(), name: 'Invocation', start_time: start + 0.02, end_time: start + 0.44 }],
  });
  const handler = standalone(traceId, fn.id as string, {
    name: '## index.handler',
    start_time: start + 0.03,
    end_time: start + 0.4,
    annotations: { documentId: options.documentId, ColdStart: true, attempt: 1 },
    ...(options.error
      ? { error: true, cause: { exceptions: [{ message: 'bad input', type: 'CorruptDocumentError' }] } }
      : {}),
  });
  const s3 = standalone(traceId, handler.id as string, {
    name: 'S3',
    namespace: 'aws',
    start_time: start + 0.05,
    end_time: start + 0.15,
    aws: { operation: 'GetObject', region: 'us-east-1' },
    http: { response: { status: 200 } },
  });
  return { service, fn, handler, s3 };
};

/** An invocation of `inspect` for one document, starting at `start`, alone in a new trace. */
export const inspectInvocation = (start: number, documentId: string) => {
  const traceId = newTraceId(start);
  return { traceId, ...lambdaInvocation({ traceId, functionName: 'inspect', start, documentId }) };
};
