import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { FailedDocumentsQueue, QueuedMessage } from '../ports';

/** The failed-documents DLQ through @aws-sdk/client-sqs. */
export class SqsFailedDocumentsQueue implements FailedDocumentsQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async receive(options: {
    max: number;
    visibilityTimeoutSeconds: number;
    waitSeconds: number;
  }): Promise<QueuedMessage[]> {
    const { Messages = [] } = await this.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queueUrl,
        MaxNumberOfMessages: options.max,
        VisibilityTimeout: options.visibilityTimeoutSeconds,
        WaitTimeSeconds: options.waitSeconds,
      }),
    );
    return Messages.flatMap((message) =>
      message.MessageId && message.ReceiptHandle
        ? [{ messageId: message.MessageId, receiptHandle: message.ReceiptHandle, body: message.Body ?? '' }]
        : [],
    );
  }

  async delete(receiptHandle: string): Promise<void> {
    await this.sqs.send(new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: receiptHandle }));
  }

  async release(receiptHandle: string): Promise<void> {
    await this.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: 0,
      }),
    );
  }
}
