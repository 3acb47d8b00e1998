import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * The one place Logger, Tracer and Metrics are created. Service name and namespace come from
 * POWERTOOLS_SERVICE_NAME / POWERTOOLS_METRICS_NAMESPACE, which the CDK app sets per function.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'docflow' });
export const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'docflow' });
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'docflow',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'docflow',
});

/** Puts the document id on every log line and on the trace segment of this invocation. */
export const scopeToDocument = (documentId: string): void => {
  logger.appendKeys({ documentId });
  tracer.putAnnotation('documentId', documentId);
};

/**
 * Publishes the invocation's metrics when it recorded any. Powertools warns on every empty publish,
 * and an invocation that only dropped a test event or lost a version race has nothing to say.
 */
export const publishMetrics = (): void => {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
};
