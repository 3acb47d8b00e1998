import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FauxqsServer } from 'fauxqs';
import {
  endToEndHeaders,
  exchange,
  forward,
  type RequestHandler,
  RequestTooLargeError,
  readRequestBody,
  sendProxyError,
  sendReply,
  type UpstreamReply,
} from '../http/proxy';
import { createBucketCors } from './bucket-cors';
import {
  type ObjectEvent,
  type ObjectEventName,
  type RecordContext,
  type RequestOrigin,
  s3EventMessage,
  s3EventRecord,
  s3TestEventMessage,
} from './event-records';
import {
  matchingRules,
  type NotificationDestination,
  notificationConfigurationXml,
  parseNotificationConfiguration,
} from './notification-configuration';
import { NotificationStore } from './notification-store';
import { authorizePostUpload, type LocalCredentials } from './post-policy';
import { bodySizeError, LOCAL_S3_MAX_BODY_BYTES, rawBodyLimit } from './request-limits';
import { newHostId, newRequestId, S3ServiceError } from './s3-error';
import { accessKeyIdOf, classifyS3Request, type S3Request } from './s3-request';
import { childrenNamed, childText, parseXml } from './xml';

/** Delivers notification messages. Throws when the destination does not exist or cannot take them. */
export interface NotificationTargets {
  sendToQueue(queueArn: string, body: string): void | Promise<void>;
  publishToTopic(topicArn: string, message: string, subject: string): void | Promise<void>;
}

/** The subject S3 gives the SNS messages it publishes. */
const SNS_SUBJECT = 'Amazon S3 Notification';

const arnParts = (arn: string): { region: string; name: string } => {
  const parts = arn.split(':');
  return { region: parts[3] ?? '', name: parts.slice(5).join(':') };
};

/**
 * Delivers straight into fauxqs' stores (no HTTP round trip), so a message is enqueued — and persisted
 * with the queue — before the write that caused it is answered. Queues and topics are found by name and
 * region: the account in the ARN is whatever the template said, fauxqs has one account.
 * A FIFO queue refuses (no message group), as S3 refuses FIFO destinations. `onDelivered` follows each
 * delivery (the local cloud wakes its idle SQS pollers with it).
 */
export const fauxqsTargets = (
  server: Pick<FauxqsServer, 'sendMessage' | 'publish'>,
  onDelivered: () => void = () => {},
): NotificationTargets => ({
  sendToQueue: (queueArn, body) => {
    const { region, name } = arnParts(queueArn);
    server.sendMessage(name, body, { region });
    onDelivered();
  },
  publishToTopic: (topicArn, message, subject) => {
    const { region, name } = arnParts(topicArn);
    server.publish(name, message, { region, subject });
    onDelivered();
  },
});

export interface S3NotificationsOptions {
  /** The S3 server to front (fauxqs' endpoint, `http://127.0.0.1:<port>`). */
  readonly upstream: string;
  readonly targets: NotificationTargets;
  /** Where configurations and sequencers are kept across restarts; in memory when absent. */
  readonly dataDir?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** The bucket owner's canonical id in records. @default a fixed local id */
  readonly ownerId?: string;
  readonly logger?: Pick<Console, 'warn'>;
  /** Largest body of one request, as the S3 behind takes it (`startMessaging`'s `maxS3BodyBytes`). @default LOCAL_S3_MAX_BODY_BYTES */
  readonly maxBodyBytes?: number;
  /**
   * The keys browser POST uploads may be signed with (their policies and signatures are checked as S3
   * checks them); a POST signed with any other key is `InvalidAccessKeyId`. @default none
   */
  readonly credentials?: readonly LocalCredentials[];
}

/** S3 with event notifications: a request handler to mount where S3 traffic arrives. */
export interface S3Notifications {
  readonly handler: RequestHandler;
  readonly store: NotificationStore;
}

/** Small XML bodies (configurations, DeleteObjects lists) this layer reads itself. */
const MAX_XML_BODY = 2 * 1024 * 1024;

const LOCAL_OWNER_ID = 'A3LOCALDOCFLOWOWNER';

const header = (reply: UpstreamReply, name: string): string | undefined => {
  const value = reply.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** 2xx, and no `<Error>` in the body: S3 may report a failed copy or multipart completion with a 200. */
const succeeded = (reply: UpstreamReply): boolean =>
  reply.status >= 200 && reply.status < 300 && !/<Error>/.test(reply.body.toString('utf8', 0, 512));

const objectPath = (bucket: string, key: string): string =>
  `/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;

/** Keys a DeleteObjects answer lists under `<Error>`: those were not deleted. */
const failedKeys = (body: Buffer): Set<string | undefined> => {
  try {
    return new Set(
      childrenNamed(parseXml(body.toString('utf8')), 'Error').map((error) => childText(error, 'Key')),
    );
  } catch {
    // An answer that is not XML lists no failures; the 2xx said the delete happened.
    return new Set();
  }
};

/** Serializes work per object key, so an event describes exactly the write that caused it. */
class KeyLocks {
  readonly #tails = new Map<string, Promise<void>>();

  async run<T>(keys: readonly string[], work: () => Promise<T>): Promise<T> {
    // One at a time, in sorted order: two multi-key holders can never wait on each other.
    const [first, ...rest] = [...new Set(keys)].sort();
    if (first === undefined) return work();
    const previous = this.#tails.get(first) ?? Promise.resolve();
    let release = () => {};
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => done);
    this.#tails.set(first, tail);
    await previous;
    try {
      return await this.run(rest, work);
    } finally {
      release();
      if (this.#tails.get(first) === tail) this.#tails.delete(first);
    }
  }
}

/**
 * Adds S3 event notifications to fauxqs, which accepts `PutBucketNotificationConfiguration` and ignores
 * it. Every S3 request passes through this handler: bucket notification configurations are answered
 * here (validated, persisted, a test event sent to each destination); object writes and deletes are
 * forwarded to fauxqs, and once fauxqs has answered success — the object is stored — one AWS-shaped
 * record per matching configuration is delivered before the client gets its answer.
 * Writes to one key are serialized so that sizes, eTags and sequencers match the write they describe.
 * It also does what fauxqs lacks around browser uploads: POST policies and signatures are checked
 * (`post-policy.ts`) and bucket CORS is answered (`bucket-cors.ts`).
 */
export const createS3Notifications = (options: S3NotificationsOptions): S3Notifications => {
  const upstream = new URL(options.upstream);
  const store = NotificationStore.open(options.dataDir);
  const context: RecordContext = {
    region: options.region ?? 'us-east-1',
    ownerId: options.ownerId ?? LOCAL_OWNER_ID,
  };
  const logger = options.logger ?? console;
  const maxBodyBytes = options.maxBodyBytes ?? LOCAL_S3_MAX_BODY_BYTES;
  const locks = new KeyLocks();

  const deliver = async (destination: NotificationDestination, body: string): Promise<void> => {
    if (destination.kind === 'queue') await options.targets.sendToQueue(destination.arn, body);
    else await options.targets.publishToTopic(destination.arn, body, SNS_SUBJECT);
  };

  const notify = async (events: readonly Omit<ObjectEvent, 'sequencer'>[]): Promise<void> => {
    for (const event of events) {
      const rules = matchingRules(store.configuration(event.bucket), event.eventName, event.key);
      if (rules.length === 0) continue;
      const withSequencer: ObjectEvent = { ...event, sequencer: await store.takeSequencer(event.bucket) };
      for (const rule of rules) {
        try {
          await deliver(rule.destination, s3EventMessage(s3EventRecord(withSequencer, rule.id, context)));
        } catch (error) {
          // The write has happened; like S3, a destination that went away loses the event, not the write.
          logger.warn(
            `s3 notification to ${rule.destination.arn} for ${event.bucket}/${event.key} failed: ${String(error)}`,
          );
        }
      }
    }
  };

  const originOf = (request: IncomingMessage, reply: UpstreamReply): RequestOrigin => {
    const accessKeyId = accessKeyIdOf(request.url ?? '/', request.headers);
    return {
      principalId: accessKeyId ? `AWS:${accessKeyId}` : 'Anonymous',
      sourceIp: (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
      requestId: header(reply, 'x-amz-request-id') ?? newRequestId(),
      hostId: header(reply, 'x-amz-id-2') ?? newHostId(),
    };
  };

  /** Size and eTag of the object now stored under the key (the caller holds the key's lock). */
  const describe = async (
    bucket: string,
    key: string,
  ): Promise<{ size: number; eTag: string } | undefined> => {
    const head = await exchange(upstream, { method: 'HEAD', url: objectPath(bucket, key), headers: {} });
    if (head.status !== 200) return undefined;
    return {
      size: Number(header(head, 'content-length') ?? 0),
      eTag: (header(head, 'etag') ?? '').replace(/"/g, ''),
    };
  };

  const forwardBuffered = (
    request: IncomingMessage,
    body: Buffer | IncomingMessage,
  ): Promise<UpstreamReply> =>
    exchange(upstream, {
      method: request.method ?? 'GET',
      url: request.url ?? '/',
      headers: endToEndHeaders(request.headers),
      body,
    });

  const hasRules = (bucket: string) => store.configuration(bucket).rules.length > 0;

  const createObject = async (
    request: IncomingMessage,
    response: ServerResponse,
    bucket: string,
    key: string,
    eventName: ObjectEventName,
    body: Buffer | IncomingMessage,
  ): Promise<void> => {
    await locks.run([`${bucket}/${key}`], async () => {
      const reply = await forwardBuffered(request, body);
      if (succeeded(reply)) {
        const object = await describe(bucket, key);
        if (object) {
          await notify([
            { eventName, bucket, key, object, time: new Date(), origin: originOf(request, reply) },
          ]);
        }
      }
      sendReply(response, reply);
    });
  };

  const deleteObject = async (
    request: IncomingMessage,
    response: ServerResponse,
    bucket: string,
    key: string,
  ) => {
    await locks.run([`${bucket}/${key}`], async () => {
      const reply = await forwardBuffered(request, request);
      // S3 reports a delete of an unversioned key as done whether or not it existed, and so does its event.
      if (succeeded(reply)) {
        await notify([
          {
            eventName: 'ObjectRemoved:Delete',
            bucket,
            key,
            time: new Date(),
            origin: originOf(request, reply),
          },
        ]);
      }
      sendReply(response, reply);
    });
  };

  const deleteObjects = async (request: IncomingMessage, response: ServerResponse, bucket: string) => {
    const body = await readRequestBody(request, MAX_XML_BODY);
    let keys: string[] = [];
    try {
      keys = childrenNamed(parseXml(body.toString('utf8')), 'Object').flatMap((object) => {
        const key = object.children.find((child) => child.name === 'Key')?.text;
        return key === undefined ? [] : [key];
      });
    } catch {
      // Not ours to judge: fauxqs answers a malformed list, and nothing is deleted.
    }
    await locks.run(
      keys.map((key) => `${bucket}/${key}`),
      async () => {
        const reply = await forwardBuffered(request, body);
        if (succeeded(reply)) {
          const failed = failedKeys(reply.body);
          const origin = originOf(request, reply);
          await notify(
            keys
              .filter((key) => !failed.has(key))
              .map((key) => ({
                eventName: 'ObjectRemoved:Delete' as const,
                bucket,
                key,
                time: new Date(),
                origin,
              })),
          );
        }
        sendReply(response, reply);
      },
    );
  };

  const postObject = async (request: IncomingMessage, response: ServerResponse, bucket: string) => {
    // The file and its form fields, as the S3 behind takes them.
    const body = await readRequestBody(request, rawBodyLimit(maxBodyBytes));
    // fauxqs stores any form: the policy, signature and size are checked here first, so a refused upload
    // stores nothing and notifies nobody.
    const { key } = authorizePostUpload(body, String(request.headers['content-type'] ?? ''), {
      bucket,
      region: context.region,
      credentials: options.credentials ?? [],
      now: new Date(),
    });
    if (!hasRules(bucket)) {
      sendReply(response, await forwardBuffered(request, body));
      return;
    }
    await createObject(request, response, bucket, key, 'ObjectCreated:Post', body);
  };

  const bucketExists = async (bucket: string): Promise<boolean> =>
    (await exchange(upstream, { method: 'HEAD', url: `/${encodeURIComponent(bucket)}`, headers: {} }))
      .status === 200;

  const cors = createBucketCors({
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    bucketExists,
  });

  const sendXml = (
    response: ServerResponse,
    status: number,
    xml: string,
    requestId: string,
    hostId: string,
  ) => {
    response.writeHead(status, {
      'content-type': 'application/xml',
      'content-length': Buffer.byteLength(xml),
      'x-amz-request-id': requestId,
      'x-amz-id-2': hostId,
    });
    response.end(xml);
  };

  const noSuchBucket = (bucket: string) =>
    new S3ServiceError('NoSuchBucket', `The specified bucket does not exist: ${bucket}`, 404);

  const getNotification = async (
    response: ServerResponse,
    bucket: string,
    requestId: string,
    hostId: string,
  ) => {
    if (!(await bucketExists(bucket))) throw noSuchBucket(bucket);
    sendXml(response, 200, notificationConfigurationXml(store.configuration(bucket)), requestId, hostId);
  };

  const putNotification = async (
    request: IncomingMessage,
    response: ServerResponse,
    bucket: string,
    requestId: string,
    hostId: string,
  ) => {
    const body = await readRequestBody(request, MAX_XML_BODY);
    if (!(await bucketExists(bucket))) throw noSuchBucket(bucket);
    const configuration = parseNotificationConfiguration(body.toString('utf8'));
    // S3 proves it can deliver by sending each destination a test event; one it cannot reach fails the call.
    const testEvent = s3TestEventMessage(bucket, new Date(), requestId, hostId);
    const destinations = [
      ...new Map(configuration.rules.map((rule) => [rule.destination.arn, rule.destination])).values(),
    ];
    const unreachable: string[] = [];
    for (const destination of destinations) {
      try {
        await deliver(destination, testEvent);
      } catch {
        unreachable.push(destination.arn);
      }
    }
    if (unreachable.length > 0 && request.headers['x-amz-skip-destination-validation'] !== 'true') {
      throw new S3ServiceError(
        'InvalidArgument',
        `Unable to validate the following destination configurations: ${unreachable.join(', ')}`,
        400,
        { name: unreachable[0] ?? '', value: 'The destination does not exist or cannot receive messages' },
      );
    }
    await store.setConfiguration(bucket, configuration);
    response.writeHead(200, { 'content-length': 0, 'x-amz-request-id': requestId, 'x-amz-id-2': hostId });
    response.end();
  };

  const deleteBucket = async (request: IncomingMessage, response: ServerResponse, bucket: string) => {
    const reply = await forwardBuffered(request, request);
    if (succeeded(reply)) {
      await store.forgetBucket(bucket);
      cors.store.forgetBucket(bucket);
    }
    sendReply(response, reply);
  };

  const route = async (request: IncomingMessage, response: ServerResponse, operation: S3Request) => {
    const requestId = newRequestId();
    const hostId = newHostId();
    try {
      // Refused before anything is forwarded: the S3 behind would answer while the body still streams.
      const refused = bodySizeError(request.method ?? 'GET', request.headers, maxBodyBytes);
      if (refused) throw refused;
      if (await cors.handle(request, response, { requestId, hostId })) return;
      cors.decorate(request, response);
      switch (operation.kind) {
        case 'get-notification':
          return await getNotification(response, operation.bucket, requestId, hostId);
        case 'put-notification':
          return await putNotification(request, response, operation.bucket, requestId, hostId);
        case 'delete-bucket':
          return await deleteBucket(request, response, operation.bucket);
        case 'put-object':
        case 'copy-object':
        case 'complete-multipart-upload':
          if (!hasRules(operation.bucket)) return await forward(upstream, request, response);
          return await createObject(
            request,
            response,
            operation.bucket,
            operation.key,
            EVENT_NAMES[operation.kind],
            request,
          );
        case 'post-object':
          return await postObject(request, response, operation.bucket);
        case 'delete-object':
          if (!hasRules(operation.bucket)) return await forward(upstream, request, response);
          return await deleteObject(request, response, operation.bucket, operation.key);
        case 'delete-objects':
          if (!hasRules(operation.bucket)) return await forward(upstream, request, response);
          return await deleteObjects(request, response, operation.bucket);
        default:
          return await forward(upstream, request, response);
      }
    } catch (error) {
      if (error instanceof S3ServiceError && !response.headersSent) {
        request.resume();
        sendXml(response, error.status, error.toXml(requestId, hostId), requestId, hostId);
      } else if (error instanceof RequestTooLargeError && !response.headersSent) {
        request.resume();
        const tooLarge = new S3ServiceError('EntityTooLarge', error.message);
        sendXml(response, 400, tooLarge.toXml(requestId, hostId), requestId, hostId);
      } else if (!response.headersSent) {
        // An S3 client reads only XML errors; a JSON 502 would be "XML parse error: unexpected content".
        request.resume();
        const unavailable = new S3ServiceError(
          'ServiceUnavailable',
          `the local S3 store did not answer: ${error instanceof Error ? error.message : String(error)}`,
          503,
        );
        sendXml(response, unavailable.status, unavailable.toXml(requestId, hostId), requestId, hostId);
      } else {
        sendProxyError(response, error);
      }
    }
  };

  return {
    store,
    handler: (request, response) => {
      void route(
        request,
        response,
        classifyS3Request(request.method ?? 'GET', request.url ?? '/', request.headers),
      );
    },
  };
};

const EVENT_NAMES = {
  'put-object': 'ObjectCreated:Put',
  'copy-object': 'ObjectCreated:Copy',
  'complete-multipart-upload': 'ObjectCreated:CompleteMultipartUpload',
} as const satisfies Record<string, ObjectEventName>;
