import { Server } from 'node:net';
import { type FauxqsServer, startFauxqs } from 'fauxqs';

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

/** A running S3 + SQS + SNS emulator. */
export interface MessagingEmulator {
  readonly endpoint: string;
  readonly port: number;
  /** The fauxqs server, for creating resources and inspecting queues. */
  readonly server: FauxqsServer;
  stop(): Promise<void>;
}

/**
 * Starts fauxqs (S3, SQS and SNS in one server) on 127.0.0.1. With `dataDir` its state lives in SQLite
 * and survives restarts. S3 clients need `forcePathStyle: true`, SQS clients an explicit endpoint.
 */
export const startMessaging = async (
  options: { port?: number; dataDir?: string; region?: string } = {},
): Promise<MessagingEmulator> => {
  const server = await onLoopback(() =>
    startFauxqs({
      port: options.port ?? 0,
      host: '127.0.0.1',
      logger: false,
      defaultRegion: options.region ?? 'us-east-1',
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    }),
  );
  return {
    endpoint: `http://127.0.0.1:${server.port}`,
    port: server.port,
    server,
    stop: () => server.stop(),
  };
};
