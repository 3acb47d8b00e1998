import {
  createServer as createHttpServer,
  type Server as HttpServer,
  type RequestListener,
  type ServerOptions,
} from 'node:http';
import { type AddressInfo, createServer, type Server } from 'node:net';

/** A port another process already listens on. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';

  /**
   * @param port the port that was asked for
   * @param service what was to listen there, e.g. `the AWS endpoint`
   */
  constructor(
    readonly port: number,
    readonly host: string,
    readonly service: string,
    options?: ErrorOptions,
  ) {
    super(`port ${port} on ${host} (${service}) is in use`, options);
  }
}

/** A port this process may not listen on (below 1024 without the privilege to). */
export class PortNotPermittedError extends Error {
  override readonly name = 'PortNotPermittedError';

  constructor(
    readonly port: number,
    readonly host: string,
    readonly service: string,
    options?: ErrorOptions,
  ) {
    super(`port ${port} on ${host} (${service}) needs privileges this process lacks`, options);
  }
}

/** Where a server is to listen, and what it is (named in the errors). */
export interface ListenTarget {
  readonly port: number;
  readonly host: string;
  readonly service: string;
}

/**
 * Starts listening and resolves once it does.
 *
 * @throws PortInUseError when another process holds the port
 * @throws PortNotPermittedError when the port is privileged
 */
export const listenOn = (server: Server | HttpServer, target: ListenTarget): Promise<void> =>
  new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      if (error.code === 'EADDRINUSE') {
        reject(new PortInUseError(target.port, target.host, target.service, { cause: error }));
      } else if (error.code === 'EACCES') {
        reject(new PortNotPermittedError(target.port, target.host, target.service, { cause: error }));
      } else {
        reject(error);
      }
    };
    server.once('error', onError);
    server.listen(target.port, target.host, () => {
      server.off('error', onError);
      resolve();
    });
  });

/**
 * Stops listening and ends the open connections: an idle keep-alive connection would otherwise hold
 * `close` open until the client drops it.
 */
export const closeServer = (server: HttpServer): Promise<void> =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });

/** An HTTP server listening on a port: `endpoint` is `http://<host>:<port>`. */
export interface ServedHttp {
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * Serves `handler` over HTTP at `target` (port 0: any free port) and says where. Stopping ends the
 * open connections too, as {@link closeServer} does.
 *
 * @throws PortInUseError or PortNotPermittedError as {@link listenOn}
 */
export const serveHttp = async (
  handler: RequestListener,
  target: ListenTarget,
  options: ServerOptions = {},
): Promise<ServedHttp> => {
  const server = createHttpServer(options, handler);
  await listenOn(server, target);
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://${target.host}:${port}`, port, stop: () => closeServer(server) };
};

const close = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

/**
 * Checks that each given port can be listened on, by listening and closing again, so that a command
 * can refuse before it starts anything. Port 0 (any free port) always can. The ports are held together
 * while checked, so two targets on one port fail too.
 *
 * @throws PortInUseError or PortNotPermittedError for the first port that cannot be used
 */
export const assertPortsFree = async (targets: readonly ListenTarget[]): Promise<void> => {
  const held: Server[] = [];
  try {
    for (const target of targets.filter(({ port }) => port !== 0)) {
      const server = createServer();
      await listenOn(server, target);
      held.push(server);
    }
  } finally {
    await Promise.all(held.map(close));
  }
};
