import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * The one place Logger, Tracer and Metrics are created. Service name and namespace come from
 * POWERTOOLS_SERVICE_NAME / POWERTOOLS_METRICS_NAMESPACE, which the CDK app sets per function.
 * Handlers do not set them up: `lambdaHandler` (./lambda-handler) applies them to every invocation.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'docflow' });
export const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'docflow' });
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'docflow',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'docflow',
});

/** Values X-Ray indexes for filter expressions (`annotation.key = …`); undefined ones are left out. */
export type TraceAnnotations = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * Annotates the current subsegment: inside `lambdaHandler`, the handler's `## <handler>` subsegment.
 * Never Lambda's own (facade) segment, which the SDK cannot annotate. A no-op where tracing is off.
 */
export const annotate = (annotations: TraceAnnotations): void => {
  for (const [key, value] of Object.entries(annotations)) {
    if (value !== undefined) tracer.putAnnotation(key, value);
  }
};

/**
 * Puts the document id on every log line of this invocation and on its handler subsegment, so that
 * `annotation.documentId = "<id>"` finds the document's run. Call it inside `lambdaHandler` only.
 */
export const scopeToDocument = (documentId: string): void => {
  logger.appendKeys({ documentId });
  annotate({ documentId });
};

/**
 * Runs `work` in a subsegment of its own, child of the current one, so that the AWS calls it makes
 * nest under it (concurrent calls each get their own). `annotate` puts annotations on that subsegment.
 * Where tracing is off, `work` runs as is and `annotate` does nothing.
 */
export const inSubsegment = async <T>(
  name: string,
  work: (annotate: (annotations: TraceAnnotations) => void) => Promise<T>,
): Promise<T> => {
  if (!tracer.isTracingEnabled() || tracer.getSegment() === undefined) return work(() => undefined);
  // captureAsyncFunc runs `work` in a context of its own with the new subsegment as the current one.
  return tracer.provider.captureAsyncFunc(name, async (subsegment) => {
    const annotateSubsegment = (annotations: TraceAnnotations): void => {
      for (const [key, value] of Object.entries(annotations)) {
        if (value !== undefined) subsegment?.addAnnotation(key, value);
      }
    };
    try {
      return await work(annotateSubsegment);
    } catch (error) {
      if (error instanceof Error) subsegment?.addError(error);
      throw error;
    } finally {
      subsegment?.close();
    }
  }) as Promise<T>;
};
