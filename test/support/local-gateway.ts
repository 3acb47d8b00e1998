import { join } from 'node:path';
import { type DynamoDbEmulator, startDynamoDb } from '../../local/emulators/dynamodb';
import { type MessagingEmulator, startMessaging } from '../../local/emulators/fauxqs';
import { type RunningGateway, type ServiceRoutes, startGateway } from '../../local/gateway';
import { proxyTo } from '../../local/http/proxy';
import { createS3Notifications, fauxqsTargets, type S3Notifications } from '../../local/s3/notifications';
import { LocalSecretsManager } from '../../local/secrets/service';
import { sqsRoute } from '../../local/sqs/queue-urls';
import { TEST_AWS } from './aws';

/** fauxqs, dynalite, S3 notifications and Secrets Manager behind one gateway, all on free ports. */
export interface LocalGateway {
  readonly endpoint: string;
  readonly gateway: RunningGateway;
  readonly messaging: MessagingEmulator;
  readonly dynamo: DynamoDbEmulator;
  readonly notifications: S3Notifications;
  readonly secrets: LocalSecretsManager;
  stop(): Promise<void>;
}

/**
 * Starts the gateway the way the local cloud composes it. With `dataDir` every service keeps its state
 * there, so stopping and starting again on the same folder is a restart. `extraRoutes` mounts more
 * services (or test doubles) next to the built-in ones.
 */
export const startLocalGateway = async (
  options: { dataDir?: string; extraRoutes?: ServiceRoutes } = {},
): Promise<LocalGateway> => {
  const at = (name: string) => (options.dataDir === undefined ? undefined : join(options.dataDir, name));
  const fauxqsDir = at('fauxqs');
  const dynamoDir = at('dynamodb');
  const [messaging, dynamo] = await Promise.all([
    startMessaging(fauxqsDir === undefined ? {} : { dataDir: fauxqsDir }),
    startDynamoDb(dynamoDir === undefined ? {} : { path: dynamoDir }),
  ]);
  const notificationsDir = at('s3-notifications');
  const notifications = createS3Notifications({
    upstream: messaging.endpoint,
    targets: fauxqsTargets(messaging.server),
    // Browser POST uploads are checked against the key the test clients sign with.
    credentials: [TEST_AWS.credentials],
    ...(notificationsDir === undefined ? {} : { dataDir: notificationsDir }),
  });
  const secretsDir = at('secrets');
  const secrets = new LocalSecretsManager(secretsDir === undefined ? {} : { dataDir: secretsDir });
  const gateway = await startGateway({
    port: 0,
    routes: {
      s3: notifications.handler,
      sqs: sqsRoute(messaging.endpoint),
      sns: proxyTo(messaging.endpoint),
      sts: proxyTo(messaging.endpoint),
      dynamodb: proxyTo(dynamo.endpoint),
      secretsmanager: secrets.handler,
      ...options.extraRoutes,
    },
  });
  return {
    endpoint: gateway.endpoint,
    gateway,
    messaging,
    dynamo,
    notifications,
    secrets,
    stop: async () => {
      await gateway.stop();
      await Promise.all([messaging.stop(), dynamo.stop()]);
    },
  };
};
