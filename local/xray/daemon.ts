import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer } from '../http/listen';
import type { RequestHandler } from '../http/proxy';
import { parseDatagram } from './daemon-protocol';

export interface XRayDaemonOptions {
  /** Receives each segment document of a well-formed datagram; returns why it was refused, if it was. */
  readonly ingest: (document: string) => { readonly message: string } | undefined;
  /** Serves the daemon's TCP port: the sampling calls the SDKs make, and the rest of the X-Ray API. */
  readonly tcpHandler: RequestHandler;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** UDP port; the TCP port takes the same number when it is free. @default 0 (a free port) */
  readonly port?: number;
  /** Where refused datagrams and documents are reported (the real daemon logs them). */
  readonly logger?: Pick<Console, 'warn'>;
}

/** A listening daemon. */
export interface RunningXRayDaemon {
  /**
   * The value for `AWS_XRAY_DAEMON_ADDRESS`: `127.0.0.1:N` when UDP and TCP share a port (as Lambda's
   * daemon does), else `udp:127.0.0.1:N tcp:127.0.0.1:M`; aws-xray-sdk-core reads both forms.
   */
  readonly address: string;
  readonly udp: { readonly host: string; readonly port: number };
  readonly tcp: { readonly host: string; readonly port: number };
  stop(): Promise<void>;
}

/** The SDK batches subsegments in bursts; a larger receive buffer keeps a burst from being dropped. */
const RECEIVE_BUFFER_BYTES = 8 * 1024 * 1024;
const SAME_PORT_ATTEMPTS = 5;

const bindUdp = (host: string, port: number, onMessage: (message: Buffer) => void): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.on('message', onMessage);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      try {
        socket.setRecvBufferSize(RECEIVE_BUFFER_BYTES);
      } catch {
        // The kernel caps the size (net.core.rmem_max); the default still works for modest bursts.
      }
      resolve(socket);
    });
  });

const listenTcp = (server: Server, host: string, port: number): Promise<boolean> =>
  new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      if (error.code === 'EADDRINUSE') resolve(false);
      else reject(error);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve(true);
    });
  });

const closeSocket = (socket: Socket): Promise<void> =>
  new Promise((resolve) => socket.close(() => resolve()));

/**
 * Starts a local X-Ray daemon: a UDP socket that takes segment documents as the X-Ray SDKs send them
 * (`AWS_XRAY_DAEMON_ADDRESS`), and, like the real daemon, an HTTP server on TCP for the sampling API
 * the SDKs poll outside Lambda. Both bind to 127.0.0.1 only.
 */
export const startXRayDaemon = async (options: XRayDaemonOptions): Promise<RunningXRayDaemon> => {
  const host = options.host ?? '127.0.0.1';
  const onMessage = (message: Buffer): void => {
    const datagram = parseDatagram(message);
    if (!datagram.ok) {
      options.logger?.warn(`local X-Ray daemon: dropped a datagram: ${datagram.reason}`);
      return;
    }
    try {
      const refused = options.ingest(datagram.document);
      if (refused) options.logger?.warn(`local X-Ray daemon: unprocessed segment: ${refused.message}`);
    } catch (error) {
      // A datagram is fire-and-forget: a failure to store one is reported, never thrown into the socket.
      options.logger?.warn(`local X-Ray daemon: could not store a segment: ${String(error)}`);
    }
  };
  const server = createServer({ keepAliveTimeout: 75_000 }, options.tcpHandler);
  let socket: Socket | undefined;
  try {
    for (let attempt = 0; attempt < SAME_PORT_ATTEMPTS && !server.listening; attempt += 1) {
      socket = await bindUdp(host, options.port ?? 0, onMessage);
      const port = (socket.address() as AddressInfo).port;
      if (await listenTcp(server, host, port)) break;
      if (options.port) break;
      await closeSocket(socket);
      socket = undefined;
    }
    socket ??= await bindUdp(host, options.port ?? 0, onMessage);
    if (!server.listening && !(await listenTcp(server, host, 0)))
      throw new Error('the local X-Ray daemon found no free TCP port');
  } catch (error) {
    if (socket) await closeSocket(socket);
    server.close();
    throw error;
  }
  const udpPort = (socket.address() as AddressInfo).port;
  const tcpPort = (server.address() as AddressInfo).port;
  const bound = socket;
  return {
    address: udpPort === tcpPort ? `${host}:${udpPort}` : `udp:${host}:${udpPort} tcp:${host}:${tcpPort}`,
    udp: { host, port: udpPort },
    tcp: { host, port: tcpPort },
    stop: async () => {
      await closeSocket(bound);
      await closeServer(server);
    },
  };
};
