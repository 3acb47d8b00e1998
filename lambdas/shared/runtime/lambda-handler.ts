import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { DocumentRejectedError } from '../documents/errors';
import { annotate, logger, metrics, tracer } from './powertools';
import { mapStacksOnDemand } from './source-mapped-stacks';

// In a bundle, stacks point into the TypeScript sources once one is formatted (see source-mapped-stacks).
mapStacksOnDemand(import.meta.url);

/** A Lambda handler as Lambda calls it: the event and the invocation's context. */
export type LambdaHandler<TEvent, TResult> = (event: TEvent, context: Context) => Promise<TResult>;

export interface LambdaHandlerOptions {
  /**
   * Whether the handler's response goes on its subsegment as metadata. Off where a response can be
   * large (the API's bodies): an X-Ray segment document holds at most 64 KB.
   * @default true
   */
  readonly captureResponse?: boolean;
}

/**
 * Flushes the invocation's metrics when it recorded some. Powertools' `logMetrics` flushes on every
 * return and warns on each empty flush; an invocation that only dropped a test event or lost a version
 * race has nothing to say, and a warning on each would drown the real ones.
 */
const publishRecordedMetrics = (target: Metrics): MiddlewareObj<unknown, unknown, Error, Context> => {
  const { before, after } = logMetrics(target);
  const flushWhenRecorded = async (request: middy.Request<unknown, unknown, Error, Context>) => {
    if (target.hasStoredMetrics()) await after?.(request);
  };
  return { before, after: flushWhenRecorded, onError: flushWhenRecorded };
};

/**
 * A rejection is the input's fault and the state machine records it: logged as a warning with its
 * reason, and the reason annotated on the handler subsegment. The error itself still propagates.
 */
const reportRejections = (): MiddlewareObj<unknown, unknown, Error, Context> => ({
  onError: ({ error }) => {
    if (!(error instanceof DocumentRejectedError)) return;
    annotate({ reason: error.reason });
    logger.warn('document rejected', { reason: error.reason, detail: error.message });
  },
});

/**
 * The one wrapper of every docflow handler, built from Powertools' middy middlewares:
 * - `captureLambdaHandler`: the `## <handler>` subsegment under Lambda's segment, annotated with
 *   `ColdStart` and `Service`; the handler's own annotations (`scopeToDocument`, `annotate`) land on it;
 * - `injectLambdaContext`: the request id, function and cold start on every log line; keys appended
 *   during an invocation (the document id) are removed after it, so none leaks into the next;
 * - metrics flushed after the invocation when it recorded any;
 * - rejections logged and annotated with their reason.
 *
 * After and error middlewares run in reverse order, so the subsegment closes last, with everything on it.
 */
export const lambdaHandler = <TEvent, TResult>(
  handler: LambdaHandler<TEvent, TResult>,
  options: LambdaHandlerOptions = {},
): LambdaHandler<TEvent, TResult> =>
  // Lambda's own timeout ends an invocation (as `Sandbox.Timedout`, which the ASL retries); middy's early
  // timeout would end it first under another name. Handlers bound their work within the remaining time.
  middy<TEvent, TResult, Error, Context>(handler, { timeoutEarlyInMillis: 0 })
    .use(captureLambdaHandler(tracer, { captureResponse: options.captureResponse ?? true }))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(publishRecordedMetrics(metrics))
    .use(reportRejections());
