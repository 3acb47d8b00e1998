import { type FauxqsServer, startFauxqs } from 'fauxqs';

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
  const server = await startFauxqs({
    port: options.port ?? 0,
    host: '127.0.0.1',
    logger: false,
    defaultRegion: options.region ?? 'us-east-1',
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  });
  return {
    endpoint: `http://127.0.0.1:${server.port}`,
    port: server.port,
    server,
    stop: () => server.stop(),
  };
};
