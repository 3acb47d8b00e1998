import type { RequestHandler } from '../http/proxy';
import { type RunningXRayDaemon, startXRayDaemon } from './daemon';
import { XRayApi } from './operations';
import { xrayRequestHandler } from './rest-json-handler';
import { SamplingRules } from './sampling';
import type { RejectedDocument } from './segment-document';
import { TraceStore } from './trace-store';

export interface LocalXRayOptions {
  /** Folder of the on-disk traces (`xray.sqlite`); in memory when absent. */
  readonly dataDir?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '000000000000' */
  readonly accountId?: string;
  /** UDP port of the daemon (TCP takes the same when free). @default 0 (a free port) */
  readonly daemonPort?: number;
  /** Trace summaries per GetTraceSummaries page. @default 100 */
  readonly pageSize?: number;
  /** Where refused segment documents and internal failures are reported. @default console */
  readonly logger?: Pick<Console, 'warn'>;
}

/** A running local X-Ray. */
export interface LocalXRay {
  readonly api: XRayApi;
  /** The X-Ray API over REST-JSON: mount it on the gateway under the SigV4 service name `xray`. */
  readonly handler: RequestHandler;
  /** The daemon: give `daemon.address` to functions as `AWS_XRAY_DAEMON_ADDRESS`. */
  readonly daemon: RunningXRayDaemon;
  /**
   * Stores one segment document directly, as a datagram to the daemon would (for local services that
   * write AWS's own segments); returns why it was refused, if it was.
   */
  ingest(document: string): RejectedDocument | undefined;
  /** Closes the daemon, then the store. */
  stop(): Promise<void>;
}

/**
 * Starts the local X-Ray: the trace store in `dataDir` (traces of earlier runs included), the X-Ray API
 * handler and the daemon that the X-Ray SDK and Powertools Tracer send segments to.
 */
export const startLocalXRay = async (options: LocalXRayOptions = {}): Promise<LocalXRay> => {
  const logger = options.logger ?? console;
  const store = new TraceStore(options.dataDir);
  const api = new XRayApi({
    store,
    sampling: new SamplingRules({
      region: options.region ?? 'us-east-1',
      accountId: options.accountId ?? '000000000000',
      modifiedAt: Math.floor(Date.now() / 1000),
    }),
    ...(options.pageSize ? { pageSize: options.pageSize } : {}),
  });
  const handler = xrayRequestHandler(api, logger);
  let daemon: RunningXRayDaemon;
  try {
    daemon = await startXRayDaemon({
      ingest: (document) => api.ingest(document),
      tcpHandler: handler,
      ...(options.daemonPort === undefined ? {} : { port: options.daemonPort }),
      logger,
    });
  } catch (error) {
    store.close();
    throw error;
  }
  let stopping: Promise<void> | undefined;
  return {
    api,
    handler,
    daemon,
    ingest: (document) => api.ingest(document),
    stop: () => {
      stopping ??= (async () => {
        await daemon.stop();
        store.close();
      })();
      return stopping;
    },
  };
};
