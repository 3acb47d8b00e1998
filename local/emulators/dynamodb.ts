import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { listenOn } from '../http/listen';
import type { RequestHandler } from '../http/proxy';
import { memoizeDynaliteExpressions } from './dynalite-expression-cache';
import { closeDynaliteIteratorsAtTheirEnd } from './dynalite-iterators';

const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (options: DynaliteOptions) => Server;
memoizeDynaliteExpressions();
closeDynaliteIteratorsAtTheirEnd();

interface DynaliteOptions {
  /** LevelDB folder; in memory when absent. */
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}

/** A running DynamoDB emulator. */
export interface DynamoDbEmulator {
  readonly endpoint: string;
  readonly port: number;
  /**
   * dynalite's own request handler, for the gateway to call in this process: proxying each request to
   * `endpoint` wrote, parsed and answered every DynamoDB call twice on `up`'s one loop.
   */
  readonly handler: RequestHandler;
  stop(): Promise<void>;
}

/**
 * Starts dynalite on 127.0.0.1. Tables are ACTIVE at once (no CREATING delay), which is what tests and
 * the local cloud want. `path` keeps the data on disk across restarts.
 */
export const startDynamoDb = async (
  options: { port?: number; path?: string } = {},
): Promise<DynamoDbEmulator> => {
  const server = dynalite({
    ...(options.path ? { path: options.path } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await listenOn(server, { port: options.port ?? 0, host: '127.0.0.1', service: 'the local DynamoDB' });
  const { port } = server.address() as AddressInfo;
  const [handler] = server.listeners('request') as RequestHandler[];
  if (!handler) throw new Error('dynalite no longer handles requests with a request listener');
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    handler,
    stop: () =>
      new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
};
