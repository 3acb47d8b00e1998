import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { closeServer, listenOn, PortInUseError } from '../../local/http/listen';
import { createConsoleApp } from './app';
import { type BrowserBundle, buildBrowserBundle } from './bundle';
import type { ErrorLog } from './problems';
import { signedFetch } from './signed-fetch';
import { awsClientsFor, type ConsoleTarget } from './target';

/** Default port of the console, beside the AWS endpoint's 4566 and the query API's 4567. */
export const DEFAULT_CONSOLE_PORT = 4568;

/** What the console is called in port errors (`PortInUseError`). */
export const CONSOLE_SERVICE = 'the console';

/** API Gateway's region is in its host name (`<id>.execute-api.<region>.amazonaws.com`). */
const apiRegion = (apiUrl: string, fallback: string): string =>
  /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$/.exec(new URL(apiUrl).hostname)?.[1] ?? fallback;

export interface ConsoleServerOptions {
  readonly target: ConsoleTarget;
  /** 0 picks a free one. @default 4568 */
  readonly port?: number;
  /**
   * When the port is taken, listen on a free one instead of failing: for the default port, since the
   * console's URL is printed and no tool is configured with it. @default false
   */
  readonly anyPortIfTaken?: boolean;
  /** @default 2000 */
  readonly pollIntervalMs?: number;
  readonly log?: ErrorLog;
  /**
   * The browser app's build, when the caller started it already (`up` builds it while the local
   * cloud comes up). @default built here
   */
  readonly bundle?: Promise<BrowserBundle>;
}

/** A running console. */
export interface ConsoleServer {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Builds the browser app and serves it with its `/api` on 127.0.0.1 only.
 *
 * @throws PortInUseError or PortNotPermittedError when the port cannot be listened on
 */
export const startConsoleServer = async (options: ConsoleServerOptions): Promise<ConsoleServer> => {
  const { target } = options;
  const bundle = await (options.bundle ?? buildBrowserBundle());
  const clients = awsClientsFor(target);
  const app = createConsoleApp({
    target,
    clients,
    bundle,
    queryApi: signedFetch({
      region: apiRegion(target.apiUrl, target.region),
      credentials: target.credentials,
    }),
    ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
    ...(options.log ? { log: options.log } : {}),
  });
  // overrideGlobalObjects: false — the console shares its process with the local cloud and the SDK,
  // whose globals must stay Node's own.
  const server = createAdaptorServer({ fetch: app.fetch, overrideGlobalObjects: false }) as Server;
  const port = options.port ?? DEFAULT_CONSOLE_PORT;
  try {
    try {
      await listenOn(server, { port, host: '127.0.0.1', service: CONSOLE_SERVICE });
    } catch (error) {
      if (!(error instanceof PortInUseError && options.anyPortIfTaken)) throw error;
      await listenOn(server, { port: 0, host: '127.0.0.1', service: CONSOLE_SERVICE });
    }
  } catch (error) {
    clients.destroy();
    throw error;
  }
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/`,
    stop: async () => {
      await closeServer(server);
      clients.destroy();
    },
  };
};
