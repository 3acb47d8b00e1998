import type { SFNClient } from '@aws-sdk/client-sfn';
import { GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { Hono } from 'hono';
import { z } from 'zod';
import { SfnExecutions } from '../../../cli/adapters/sfn-executions';
import { SqsFailedDocumentsQueue } from '../../../cli/adapters/sqs-failed-documents';
import { redriveFailedDocuments } from '../../../cli/redrive-documents';
import {
  QUEUE_NAMES,
  type QueueMessage,
  type QueueName,
  type QueuePeek,
  type QueueRedriveReport,
} from '../../shared/api';
import { answerJson, badRequest, type ErrorLog, problemOf, problemResponse } from '../problems';

export interface QueueRoutesOptions {
  readonly sqs: SQSClient;
  readonly sfn: SFNClient;
  /** Queue URL by console name; a queue the deployment has no output for is absent. */
  readonly queueUrls: Readonly<Partial<Record<QueueName, string>>>;
  readonly description: string;
  readonly log: ErrorLog;
}

/** `{}` runs every message again; `{"messageIds": […]}` only those (SQS message ids are ≤ 100 characters). */
const redriveRequest = z.strictObject({
  messageIds: z.array(z.string().min(1).max(100)).min(1).max(1000).optional(),
});

/** ReceiveMessage returns at most 10 messages a call; a peek makes a few calls and merges them. */
const PEEK_CALLS = 5;

const isQueueName = (name: string): name is QueueName => (QUEUE_NAMES as readonly string[]).includes(name);

/**
 * Reads messages without taking them: ReceiveMessage with VisibilityTimeout 0 leaves each one visible,
 * so a peek never hides a message from `docflow redrive` or another console. Each peek counts as a
 * receive (ApproximateReceiveCount grows); both queues are dead-letter queues with no redrive policy of
 * their own, so the count moves nothing. SQS samples its servers: a few calls, merged by id, see most
 * of a short queue; `approximateCount` says how many there are.
 */
export const peekQueue = async (sqs: SQSClient, queueUrl: string): Promise<Omit<QueuePeek, 'queue'>> => {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  const byId = new Map<string, QueueMessage>();
  for (let call = 0; call < PEEK_CALLS; call += 1) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 0,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
      }),
    );
    const fresh = Messages.filter((message) => message.MessageId && !byId.has(message.MessageId));
    if (fresh.length === 0) break;
    for (const message of fresh) {
      const sent = Number(message.Attributes?.SentTimestamp);
      const receives = Number(message.Attributes?.ApproximateReceiveCount);
      byId.set(message.MessageId ?? '', {
        messageId: message.MessageId ?? '',
        body: message.Body ?? '',
        ...(Number.isFinite(sent) ? { sentAt: new Date(sent).toISOString() } : {}),
        ...(Number.isFinite(receives) ? { receiveCount: receives } : {}),
      });
    }
  }
  const messages = [...byId.values()].sort((a, b) => (a.sentAt ?? '').localeCompare(b.sentAt ?? ''));
  return {
    approximateCount: Math.max(Number(Attributes.ApproximateNumberOfMessages ?? 0), messages.length),
    messages,
  };
};

/** SQS for the console: the failed-documents queue and the ingest DLQ, read without taking, and redrive. */
export const queueRoutes = ({ sqs, sfn, queueUrls, description, log }: QueueRoutesOptions): Hono => {
  const routes = new Hono();
  const fail = (error: unknown): Response => problemOf(error, `SQS of ${description}`, log);
  const urlOf = (name: string): string | Response => {
    if (!isQueueName(name)) {
      return problemResponse(
        404,
        'Not Found',
        `no queue "${name}": the console reads ${QUEUE_NAMES.join(', ')}`,
      );
    }
    return queueUrls[name] ?? problemResponse(404, 'Not Found', `${description} has no ${name} queue output`);
  };

  routes.get('/queues/:name', async (c) => {
    const name = c.req.param('name');
    const url = urlOf(name);
    if (url instanceof Response) return url;
    return answerJson(async () => {
      const peek: QueuePeek = { queue: name as QueueName, ...(await peekQueue(sqs, url)) };
      return peek;
    }, fail);
  });

  /**
   * Failed documents run again as `docflow redrive` runs them (every one, or the messages named); a
   * message goes once its run started.
   */
  routes.post('/queues/failed-documents/redrive', async (c) => {
    const url = urlOf('failed-documents');
    if (url instanceof Response) return url;
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return problemResponse(400, 'Bad Request', 'the body must be JSON: {} or {"messageIds": […]}');
    }
    const request = redriveRequest.safeParse(body);
    if (!request.success) return badRequest(request.error);
    const { messageIds } = request.data;
    return answerJson(async () => {
      const executions = new SfnExecutions(sfn);
      const reports = await redriveFailedDocuments({
        queue: new SqsFailedDocumentsQueue(sqs, url),
        executions,
        redriver: executions,
        dryRun: false,
        ...(messageIds ? { messageIds: new Set(messageIds) } : {}),
      });
      const report: QueueRedriveReport = {
        results: reports.map(({ messageId, key, action }) => ({
          messageId,
          ...(key ? { key } : {}),
          action: action.kind,
          ...('executionArn' in action ? { executionArn: action.executionArn } : {}),
          ...('reason' in action ? { reason: action.reason } : {}),
        })),
      };
      return report;
    }, fail);
  });

  return routes;
};
