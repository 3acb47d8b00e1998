import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

/**
 * Sends one message to an SQS queue named by its ARN, through a client whose endpoint is the local
 * SQS: the queue URL is `<endpoint>/<account>/<name>`, the path fauxqs finds queues by. String message
 * attributes go as `String` attributes (EventBridge's and Lambda's dead-letter attributes).
 */
export const queueSender =
  (sqs: SQSClient, endpoint: string) =>
  async (
    queueArn: string,
    body: string,
    attributes: Readonly<Record<string, string>> = {},
  ): Promise<void> => {
    const [, , service, , account, name] = queueArn.split(':');
    if (service !== 'sqs' || !account || !name) throw new Error(`${queueArn} is not an SQS queue ARN`);
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: `${endpoint.replace(/\/+$/, '')}/${account}/${name}`,
        MessageBody: body,
        MessageAttributes: Object.fromEntries(
          Object.entries(attributes).map(([key, value]) => [key, { DataType: 'String', StringValue: value }]),
        ),
      }),
    );
  };
