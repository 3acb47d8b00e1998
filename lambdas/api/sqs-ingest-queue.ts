import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { IngestQueue } from './ports';

/** {@link IngestQueue} over SQS. */
export class SqsIngestQueue implements IngestQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(body: string): Promise<void> {
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: body }));
  }
}
