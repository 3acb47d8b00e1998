import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MessagingEmulator, startMessaging } from '../../../../local/emulators/fauxqs';
import { createQueue, TEST_AWS, testSqs, uniquePrefix } from '../../../support/aws';

describe('startMessaging', () => {
  let messaging: MessagingEmulator;
  let writes = 0;

  beforeAll(async () => {
    messaging = await startMessaging({ onQueueWrite: () => (writes += 1) });
  });

  afterAll(async () => {
    await messaging?.stop();
  });

  it('says when a request may have made a message visible, and not for reads', async () => {
    // Prepare
    const sqs = testSqs(messaging.endpoint);
    const sns = new SNSClient({ ...TEST_AWS, endpoint: messaging.endpoint });
    const queue = await createQueue(messaging.endpoint, uniquePrefix('writes'));
    const topic = messaging.server.createTopic(uniquePrefix('topic'));
    const before = writes;

    // Act
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.url, WaitTimeSeconds: 0 }));
    const afterRead = writes;
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'hello' }));
    const afterSend = writes;
    await sns.send(new PublishCommand({ TopicArn: topic.topicArn, Message: 'hello' }));

    // Assess
    expect(afterRead).toBe(before);
    expect(afterSend).toBe(before + 1);
    expect(writes).toBe(before + 2);
    sqs.destroy();
    sns.destroy();
  });
});
