import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Server } from 'node:net';
import { DatabaseSync } from 'node:sqlite';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import { applyS3RequestLimits, LOCAL_S3_MAX_BODY_BYTES, type RouteHookTarget } from '../s3/request-limits';

/**
 * fauxqs 2.4 always listens on 0.0.0.0, whatever `host` it is given. docflow's servers bind to the
 * loopback interface only, so while fauxqs starts, a listen on the wildcard address is narrowed to
 * 127.0.0.1. The patch is undone as soon as the server listens.
 */
const onLoopback = async <T>(start: () => Promise<T>): Promise<T> => {
  const listen = Server.prototype.listen;
  Server.prototype.listen = function (this: Server, ...args: unknown[]) {
    const [first] = args;
    if (typeof first === 'object' && first !== null && (first as { host?: string }).host === '0.0.0.0') {
      args[0] = { ...first, host: '127.0.0.1' };
    }
    return listen.apply(this, args as Parameters<typeof listen>);
  } as typeof listen;
  try {
    return await start();
  } finally {
    Server.prototype.listen = listen;
  }
};

/**
 * Fastify publishes every instance it creates on this diagnostics channel, before any route is added
 * (https://fastify.dev/docs/latest/Reference/Hooks/#diagnostics-channel-hooks).
 */
const FASTIFY_CREATED = 'fastify.initialization';

/**
 * Calls `start`, handing the Fastify instance it creates synchronously to `configure`. fauxqs builds
 * its app without awaiting anything first, so exactly its own instance is seen; if that ever changes,
 * the start fails loudly instead of running with fauxqs' defaults.
 */
const configuringFastify = async <T extends { stop(): Promise<void> }>(
  configure: (app: RouteHookTarget) => void,
  start: () => Promise<T>,
): Promise<T> => {
  let configured = false;
  const onCreated = (message: unknown): void => {
    if (configured) return;
    configured = true;
    configure((message as { fastify: RouteHookTarget }).fastify);
  };
  subscribe(FASTIFY_CREATED, onCreated);
  let started: Promise<T>;
  try {
    started = start();
  } finally {
    unsubscribe(FASTIFY_CREATED, onCreated);
  }
  const server = await started;
  if (!configured) {
    await server.stop();
    throw new Error('fauxqs did not create its Fastify app synchronously: its S3 body limit cannot be set');
  }
  return server;
};

/**
 * fauxqs keeps its SQLite database in WAL mode with SQLite's default `synchronous = FULL`: an fsync at
 * every commit, that is at every S3 object written and every SQS message sent, received or deleted,
 * on `up`'s event loop (decisions 41, 45). In WAL mode `NORMAL` still survives a crash of the process
 * (a commit is in the WAL file when it returns); only an OS crash or power loss may lose the last
 * commits. fauxqs has no option for it, so while it starts — it opens its database synchronously —
 * the `PRAGMA journal_mode = WAL` it runs is followed by `PRAGMA synchronous = NORMAL`. Returns
 * whether that happened.
 */
const withNormalSync = <T>(start: () => T): { started: T; applied: boolean } => {
  const exec = DatabaseSync.prototype.exec;
  let applied = false;
  DatabaseSync.prototype.exec = function (this: DatabaseSync, sql: string) {
    exec.call(this, sql);
    if (/^\s*PRAGMA\s+journal_mode\s*=\s*WAL\s*;?\s*$/i.test(sql)) {
      exec.call(this, 'PRAGMA synchronous = NORMAL');
      applied = true;
    }
  };
  try {
    return { started: start(), applied };
  } finally {
    DatabaseSync.prototype.exec = exec;
  }
};

/** A running S3 + SQS + SNS emulator. */
export interface MessagingEmulator {
  readonly endpoint: string;
  readonly port: number;
  /** The fauxqs server, for creating resources and inspecting queues. */
  readonly server: FauxqsServer;
  stop(): Promise<void>;
}

export interface MessagingOptions {
  /** @default 0 (a free port) */
  readonly port?: number;
  /** Where state is kept (SQLite); in memory when absent. */
  readonly dataDir?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** Largest body of one S3 request; over it, S3's `EntityTooLarge`. @default LOCAL_S3_MAX_BODY_BYTES */
  readonly maxS3BodyBytes?: number;
  /**
   * Called after fauxqs answers a request that may have made a message visible in a queue: SQS
   * SendMessage(Batch) and ChangeMessageVisibility(Batch), SNS Publish(Batch) (fanned out to queues).
   */
  readonly onQueueWrite?: () => void;
}

/** Actions after which a queue may hold a message it did not hold before. */
const QUEUE_WRITES = new Set([
  'SendMessage',
  'SendMessageBatch',
  'ChangeMessageVisibility',
  'ChangeMessageVisibilityBatch',
  'Publish',
  'PublishBatch',
]);

/** The part of Fastify's instance the queue-write hook needs. */
interface ResponseHookTarget {
  addHook(
    name: 'onResponse',
    hook: (
      request: { headers: Record<string, unknown>; body?: unknown },
      reply: unknown,
      done: () => void,
    ) => void,
  ): unknown;
}

/** The action of an SQS (JSON: `X-Amz-Target`; query: `Action`) or SNS (query) request. */
const actionOf = (request: { headers: Record<string, unknown>; body?: unknown }): string | undefined => {
  const target = request.headers['x-amz-target'];
  if (typeof target === 'string') return target.slice(target.indexOf('.') + 1);
  const body = request.body as { Action?: unknown } | undefined;
  return typeof body?.Action === 'string' ? body.Action : undefined;
};

/**
 * Starts fauxqs (S3, SQS and SNS in one server) on 127.0.0.1. With `dataDir` its state lives in SQLite
 * and survives restarts. S3 clients need `forcePathStyle: true`, SQS clients an explicit endpoint.
 * Its S3 takes bodies up to `maxS3BodyBytes` in one request (fauxqs alone stops at 11 MiB) and answers
 * every error as S3-shaped XML (see `applyS3RequestLimits`).
 */
export const startMessaging = async (options: MessagingOptions = {}): Promise<MessagingEmulator> => {
  let normalSync = false;
  const server = await configuringFastify(
    (app) => {
      applyS3RequestLimits(app, options.maxS3BodyBytes ?? LOCAL_S3_MAX_BODY_BYTES);
      const { onQueueWrite } = options;
      if (!onQueueWrite) return;
      (app as unknown as ResponseHookTarget).addHook('onResponse', (request, _reply, done) => {
        const action = actionOf(request);
        if (action !== undefined && QUEUE_WRITES.has(action)) onQueueWrite();
        done();
      });
    },
    () =>
      onLoopback(() => {
        const { started, applied } = withNormalSync(() =>
          startFauxqs({
            port: options.port ?? 0,
            host: '127.0.0.1',
            logger: false,
            defaultRegion: options.region ?? 'us-east-1',
            ...(options.dataDir ? { dataDir: options.dataDir } : {}),
          }),
        );
        normalSync = applied;
        return started;
      }),
  );
  if (options.dataDir && !normalSync) {
    await server.stop();
    throw new Error(
      'fauxqs did not open its SQLite database as it used to: its synchronous mode cannot be set',
    );
  }
  return {
    endpoint: `http://127.0.0.1:${server.port}`,
    port: server.port,
    server,
    stop: () => server.stop(),
  };
};
