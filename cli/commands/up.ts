import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { sep } from 'node:path';
import { buildBrowserBundle } from '../../console/server/bundle';
import {
  CONSOLE_SERVICE,
  DEFAULT_CONSOLE_PORT,
  startConsoleServer,
} from '../../console/server/console-server';
import { REST_API_SERVICE } from '../../local/api/rest-api-server';
import { DEFAULT_API_PORT, startLocalCloud } from '../../local/cloud';
import { readDeploymentFile, removeDeploymentFile } from '../../local/deployment-file';
import { fullCollection } from '../../local/full-collection';
import { DEFAULT_GATEWAY_PORT, GATEWAY_SERVICE } from '../../local/gateway';
import { assertPortsFree, PortInUseError, PortNotPermittedError } from '../../local/http/listen';
import { IdleCollector } from '../../local/idle-collection';
import { consolePortOption, type UpOptions, upOptions } from '../command-options';
import type { Command } from '../context';
import { CliError, EXIT } from '../errors';
import { localConsoleTarget } from '../local-console-target';
import { displayPath } from '../paths';
import { consoleLog } from './console';

/** Resolves with the first SIGINT or SIGTERM, then stops listening: a second Ctrl-C ends the process at once. */
export const firstStopSignal = (): { signal: Promise<NodeJS.Signals>; dispose(): void } => {
  let stopOn: (received: NodeJS.Signals) => void = () => {};
  const dispose = (): void => {
    process.off('SIGINT', stopOn);
    process.off('SIGTERM', stopOn);
  };
  const signal = new Promise<NodeJS.Signals>((resolve) => {
    stopOn = (received) => {
      dispose();
      resolve(received);
    };
    process.on('SIGINT', stopOn);
    process.on('SIGTERM', stopOn);
  });
  return { signal, dispose };
};

/** How the user names each port: `npm start` passes flags on only after `--`. */
const portFlag = (service: string): string => {
  const flag =
    service === REST_API_SERVICE ? '--api-port' : service === CONSOLE_SERVICE ? '--console-port' : '--port';
  return process.env.npm_lifecycle_event === 'start' ? `npm start -- ${flag} <n>` : `${flag} <n>`;
};

/** What stands in the way of a port, as one line that says what to do. */
const portProblem = (error: unknown): CliError | undefined => {
  if (error instanceof PortInUseError) {
    const suspects =
      error.service === GATEWAY_SERVICE ? 'another docflow up or LocalStack' : 'another docflow up';
    return new CliError(
      `port ${error.port} (${error.service}) is in use, perhaps by ${suspects}: stop it, or choose another port with ${portFlag(error.service)}`,
      { cause: error },
    );
  }
  if (error instanceof PortNotPermittedError) {
    return new CliError(
      `port ${error.port} (${error.service}) needs privileges, as every port below 1024 does: choose one from 1024 up with ${portFlag(error.service)}`,
      { cause: error },
    );
  }
  return undefined;
};

const DATA_DIR_PROBLEMS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOTDIR: 'a part of its path is a file',
  EEXIST: 'it is a file',
  ENOSPC: 'no space left on the device',
};

/** A file-system error inside the data folder, as one line; undefined for any other error. */
const dataDirProblem = (error: unknown, dataDir: string, cwd: string): CliError | undefined => {
  const { code, path } = (error ?? {}) as NodeJS.ErrnoException;
  const problem = code === undefined ? undefined : DATA_DIR_PROBLEMS[code];
  if (problem === undefined) return undefined;
  if (typeof path === 'string' && path !== dataDir && !path.startsWith(`${dataDir}${sep}`)) return undefined;
  return new CliError(
    `cannot write the data folder ${displayPath(dataDir, cwd)} (${problem}): choose another with --data-dir <dir>`,
    { cause: error },
  );
};

/** Creates the data folder if need be and checks that it can be written, before anything starts. */
const assertWritableDataDir = async (dataDir: string, cwd: string): Promise<void> => {
  try {
    await mkdir(dataDir, { recursive: true });
    await access(dataDir, constants.W_OK);
  } catch (error) {
    throw dataDirProblem(error, dataDir, cwd) ?? error;
  }
};

/** Whether something accepts TCP connections at a URL's host and port. */
const answers = (url: string): Promise<boolean> =>
  new Promise((resolve) => {
    const { hostname, port } = new URL(url);
    const socket = connect({ host: hostname, port: Number(port), timeout: 1000 });
    const settle = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.once('connect', () => settle(true));
    socket.once('error', () => settle(false));
    socket.once('timeout', () => settle(false));
  });

/**
 * Refuses a second local cloud on one data folder: the emulators' databases take one process only. A
 * deployment file whose endpoints do not answer is left over from a killed run and is overwritten.
 */
const assertNotRunning = async (dataDir: string, cwd: string): Promise<void> => {
  const deployment = await readDeploymentFile(dataDir).catch(() => undefined);
  if (!deployment) return;
  const answering = await Promise.all([answers(deployment.endpoint), answers(deployment.apiUrl)]);
  if (!answering.every(Boolean)) return;
  throw new CliError(
    `the local cloud is already running on the data folder ${displayPath(dataDir, cwd)} (${deployment.endpoint}): ` +
      'use it, stop it first (Ctrl-C where it runs), or start another with --data-dir <dir>',
  );
};

/** Everything `up` can check before it starts anything, so that a mistake costs no state. */
const preflight = async (
  options: UpOptions,
  consolePort: number | undefined,
  dataDir: string,
  cwd: string,
): Promise<void> => {
  await assertNotRunning(dataDir, cwd);
  await assertPortsFree([
    { port: options.port, host: '127.0.0.1', service: GATEWAY_SERVICE },
    { port: options.apiPort, host: '127.0.0.1', service: REST_API_SERVICE },
    // The default console port gives way to a free one; a chosen one must be free.
    ...(consolePort === undefined
      ? []
      : [{ port: consolePort, host: '127.0.0.1', service: CONSOLE_SERVICE }]),
  ]);
  await assertWritableDataDir(dataDir, cwd);
};

/** `docflow up [--port 4566] [--api-port 4567] [--console-port 4568] [--fresh]`: the local cloud and its console, until Ctrl-C. */
export const up: Command = async ({ values }, context) => {
  const options = upOptions(values, { port: DEFAULT_GATEWAY_PORT, apiPort: DEFAULT_API_PORT });
  const consolePort = consolePortOption(values, 'console-port', 'up');
  const { terminal, dataDir, cwd } = context;
  const stop = firstStopSignal();
  let cloud: Awaited<ReturnType<typeof startLocalCloud>>;
  let webConsole: Awaited<ReturnType<typeof startConsoleServer>>;
  // With the launcher's --expose-gc, `up` gives back the heap a burst grew once requests stop.
  const collect = fullCollection();
  const idle = collect && new IdleCollector({ collect });
  try {
    await preflight(options, consolePort, dataDir, cwd);
    // The console's build (esbuild, a few hundred milliseconds) overlaps the cloud's start.
    const browserBundle = buildBrowserBundle();
    browserBundle.catch(() => {});
    cloud = await startLocalCloud({
      dataDir,
      port: options.port,
      apiPort: options.apiPort,
      fresh: options.fresh,
      log: (line) => terminal.info(line),
      ...(idle ? { onRequest: () => idle.activity() } : {}),
    });
    try {
      webConsole = await startConsoleServer({
        target: localConsoleTarget(cloud),
        port: consolePort ?? DEFAULT_CONSOLE_PORT,
        anyPortIfTaken: consolePort === undefined,
        log: consoleLog(terminal),
        bundle: browserBundle,
      });
    } catch (error) {
      await removeDeploymentFile(cloud.dataDir);
      await cloud.stop();
      throw error;
    }
  } catch (error) {
    stop.dispose();
    idle?.stop();
    // A port can still be taken between the check and the listen; the local cloud has then stopped
    // whatever it had started.
    throw portProblem(error) ?? dataDirProblem(error, dataDir, cwd) ?? error;
  }
  const outputs = cloud.localDeployment.outputs;
  const uploads = outputs.UploadsBucketName ? `s3://${outputs.UploadsBucketName}/incoming/` : '–';
  terminal.info(
    `docflow ready · console ${webConsole.url} · AWS endpoint ${cloud.endpoint} · query API ${cloud.apiUrl} · uploads ${uploads} · data ${displayPath(cloud.dataDir, cwd)}`,
  );
  terminal.info(
    'Try `npx docflow demo`, `npx docflow upload <file> --wait`, `npx docflow ls`. Ctrl-C stops.',
  );
  const signal = await stop.signal;
  terminal.info(`${signal === 'SIGINT' ? 'Ctrl-C' : signal}: stopping the local cloud…`);
  // The deployment file goes first: from now on the CLI says "not running" instead of timing out.
  await removeDeploymentFile(cloud.dataDir);
  await webConsole.stop();
  await cloud.stop();
  idle?.stop();
  terminal.info('Stopped; the state is kept for the next start.');
  return EXIT.ok;
};
