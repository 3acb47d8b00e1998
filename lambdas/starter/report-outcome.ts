import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { MalformedNotificationError } from '../shared/documents/errors';
import { logger, metrics } from '../shared/runtime/powertools';
import type { StartOutcome } from './start-documents';

/** Metric names the starter emits (one count per record), shared with alarms and tests. */
export const STARTER_METRICS = {
  executionsStarted: 'ExecutionsStarted',
  /** A redelivered notification whose execution exists already. */
  duplicateNotifications: 'DuplicateNotifications',
  testEventsDropped: 'TestEventsDropped',
  /** Removals of an upload: each starts a deletion execution. */
  deletionsStarted: 'DeletionsStarted',
  /** A redelivered removal whose deletion execution exists already. */
  duplicateDeletions: 'DuplicateDeletions',
  /** Reprocess requests of the query API: each starts a new run of a recorded version. */
  reprocessesStarted: 'ReprocessesStarted',
  /** A reprocess request of a generation that has an execution already (asked twice, or redelivered). */
  duplicateReprocesses: 'DuplicateReprocesses',
  /** Records that are neither creations nor removals: a sign the bucket notification is misconfigured. */
  unexpectedEventsDropped: 'UnexpectedEventsDropped',
  /** Messages that are neither S3 notifications nor reprocess requests, or carry an undecodable key: each ends in the ingest DLQ. */
  malformedMessages: 'MalformedMessages',
  startFailures: 'StartFailures',
} as const;

/** An outcome that reached Step Functions: started now, or started before under the same name. */
type RunOutcome = Extract<StartOutcome, { readonly executionName: string }>;

/** The metric and log line of each way a record comes to an execution. */
const RUN_REPORTS = {
  started: { metric: STARTER_METRICS.executionsStarted, message: 'started execution' },
  duplicate: {
    metric: STARTER_METRICS.duplicateNotifications,
    message: 'duplicate notification: this object version has an execution already',
  },
  'reprocess-started': { metric: STARTER_METRICS.reprocessesStarted, message: 'started a reprocess' },
  'reprocess-duplicate': {
    metric: STARTER_METRICS.duplicateReprocesses,
    message: 'duplicate reprocess request: this generation has an execution already',
  },
  'deletion-started': { metric: STARTER_METRICS.deletionsStarted, message: 'started deletion' },
  'deletion-duplicate': {
    metric: STARTER_METRICS.duplicateDeletions,
    message: 'duplicate removal notification: its deletion has an execution already',
  },
} as const satisfies Record<RunOutcome['kind'], { readonly metric: string; readonly message: string }>;

/** What a log line says of the document a run is for: the upload's version, or the removal's sequencer. */
const subjectOf = (outcome: RunOutcome): Record<string, unknown> =>
  'deletion' in outcome
    ? {
        documentId: outcome.deletion.id,
        bucket: outcome.deletion.bucket,
        key: outcome.deletion.key,
        sequencer: outcome.deletion.sequencer,
        versionId: outcome.deletion.versionId,
      }
    : {
        documentId: outcome.document.id,
        bucket: outcome.document.bucket,
        key: outcome.document.key,
        version: outcome.document.version,
        ...('generation' in outcome ? { generation: outcome.generation } : {}),
      };

const count = (name: string): void => {
  metrics.addMetric(name, MetricUnit.Count, 1);
};

/**
 * Logs and counts a message that is not an S3 notification. The caller fails it on purpose: after
 * maxReceiveCount receives SQS moves it to the ingest DLQ, where it can be read, instead of vanishing.
 */
export const reportMalformedMessage = (
  messageId: string,
  receiveCount: string,
  error: MalformedNotificationError,
): void => {
  count(STARTER_METRICS.malformedMessages);
  logger.error('poison message: failing it so the ingest queue dead-letters it', {
    messageId,
    receiveCount,
    error,
  });
};

/**
 * Logs and counts what happened to one record. Records of a batch are processed concurrently, so
 * the document id goes on each line rather than onto the shared logger, where one record's id
 * would leak into another's lines.
 */
export const reportOutcome = (messageId: string, outcome: StartOutcome): void => {
  switch (outcome.kind) {
    case 'test-event-dropped':
      count(STARTER_METRICS.testEventsDropped);
      logger.info('dropped an s3:TestEvent', { messageId, bucket: outcome.bucket });
      return;
    case 'ignored':
      count(STARTER_METRICS.unexpectedEventsDropped);
      logger.warn(
        'dropped a record that is neither a creation nor a removal; check the bucket notification filter',
        {
          messageId,
          eventName: outcome.eventName,
        },
      );
      return;
    case 'started':
    case 'duplicate':
    case 'reprocess-started':
    case 'reprocess-duplicate':
    case 'deletion-started':
    case 'deletion-duplicate': {
      const report = RUN_REPORTS[outcome.kind];
      count(report.metric);
      logger.info(report.message, {
        messageId,
        ...subjectOf(outcome),
        executionName: outcome.executionName,
        executionArn: outcome.executionArn,
        traceId: outcome.traceId,
      });
      return;
    }
    case 'failed':
      count(
        outcome.error instanceof MalformedNotificationError
          ? STARTER_METRICS.malformedMessages
          : STARTER_METRICS.startFailures,
      );
      logger.error('could not start an execution: failing the message so SQS delivers it again', {
        messageId,
        documentId: outcome.document?.id,
        eventName: outcome.eventName,
        encodedKey: outcome.encodedKey,
        error: outcome.error,
      });
      return;
  }
};
