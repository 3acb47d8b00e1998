import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync, rmSync, type WriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { type LocalDeployment, readDeploymentFile } from '../local/deployment-file';
import { processAlive } from '../local/process-alive';
import { processTree } from './proc';

/** The repository root, where bin/docflow.mjs is. */
export const PROJECT_ROOT = resolve(import.meta.dirname, '..');

/** The line `docflow up` prints once every service answers (cli/commands/up.ts). */
const READY_LINE = /^docflow ready\b/m;

export interface CloudProcessOptions {
  /** A fresh folder for the cloud's state; removed when the process is stopped. */
  readonly dataDir: string;
  /** The child's output goes here, for a post-mortem. */
  readonly logFile: string;
  /** Extra `node` flags for the child (e.g. `--cpu-prof`), passed through NODE_OPTIONS. */
  readonly nodeOptions?: readonly string[];
  /** @default 120_000 */
  readonly readyTimeoutMs?: number;
}

/** A `docflow up` child process, ready to take documents. */
export interface CloudProcess {
  readonly pid: number;
  /** From spawn to the ready line, ms. */
  readonly readyMs: number;
  readonly deployment: LocalDeployment;
  /** Stops the cloud (SIGTERM, then SIGKILL of its process group) and removes its data folder. */
  stop(): Promise<void>;
}

/** Children still running, so that an interrupted bench can kill them on its way out. */
const running = new Set<{ child: ChildProcess; dataDir: string }>();

const killGroup = (child: ChildProcess, signal: NodeJS.Signals): void => {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    // Detached: the child leads its own process group, which holds whatever it started.
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
};

/**
 * Last resort for an exit the bench did not plan (an uncaught error, a signal): kill every cloud it
 * started and remove their data. Synchronous, as `exit` listeners must be.
 */
export const killAllCloudsNow = (): void => {
  for (const entry of running) {
    const descendants = entry.child.pid === undefined ? [] : processTree(entry.child.pid).slice(1);
    killGroup(entry.child, 'SIGKILL');
    killLeftovers(descendants);
    rmSync(entry.dataDir, { recursive: true, force: true });
  }
  running.clear();
};

/** SIGKILLs those of `pids` that still run a Node process (a pid may have been reused meanwhile). */
const killLeftovers = (pids: readonly number[]): void => {
  for (const pid of pids) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('node')) continue;
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
};

/** Resolves once none of `pids` runs, or after `ms`. */
const waitForExit = async (pids: readonly number[], ms: number): Promise<void> => {
  const deadline = Date.now() + ms;
  while (pids.some(processAlive) && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 100));
};

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));

const within = <T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> => {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), ms);
    }),
  ]).finally(() => clearTimeout(timer));
};

/**
 * Starts `docflow up` on free ports with a fresh data folder, as its own process (so that its memory
 * and CPU can be read apart from the bench's), and waits for its ready line.
 */
export const startCloudProcess = async (options: CloudProcessOptions): Promise<CloudProcess> => {
  const log: WriteStream = createWriteStream(options.logFile);
  const nodeOptions = [process.env.NODE_OPTIONS, ...(options.nodeOptions ?? [])].filter(Boolean).join(' ');
  const started = performance.now();
  // No --console-port: the console's default port gives way to a free one when taken.
  // The bench runs on the project's Node 24 (npm run puts node_modules/.bin first), so bin/docflow.mjs
  // runs the CLI in this very process it spawns: `up` adds its heap flags by replacing its own image
  // (execve), so the pid stays the one spawned.
  const child = spawn(
    process.execPath,
    [
      join(PROJECT_ROOT, 'bin', 'docflow.mjs'),
      'up',
      '--port',
      '0',
      '--api-port',
      '0',
      '--data-dir',
      options.dataDir,
      '--fresh',
    ],
    {
      cwd: PROJECT_ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: nodeOptions, NO_COLOR: '1' },
    },
  );
  const entry = { child, dataDir: options.dataDir };
  running.add(entry);
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      // Its descendants, noted now: a function environment may run detached, in its own process group,
      // and once `up` has exited an orphan is no longer found under it.
      const descendants = child.pid === undefined ? [] : processTree(child.pid).slice(1);
      killGroup(child, 'SIGTERM');
      if ((await within(exited(child), 30_000)) === 'timeout') {
        killGroup(child, 'SIGKILL');
        await exited(child);
      }
      // Anything the cloud started and left behind goes too, after a moment to end on its own (a
      // process under --cpu-prof writes its profile as it exits).
      await waitForExit(descendants, 5_000);
      killGroup(child, 'SIGKILL');
      killLeftovers(descendants);
      running.delete(entry);
      log.end();
      rmSync(options.dataDir, { recursive: true, force: true });
    })();
    return stopping;
  };

  try {
    const readyMs = await new Promise<number>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(
        () =>
          reject(new Error(`docflow up printed no ready line in ${options.readyTimeoutMs ?? 120_000} ms`)),
        options.readyTimeoutMs ?? 120_000,
      );
      const onData = (chunk: Buffer): void => {
        output = (output + chunk.toString('utf8')).slice(-16_384);
        if (READY_LINE.test(output)) {
          clearTimeout(timer);
          resolve(performance.now() - started);
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(
          new Error(
            `docflow up ended before it was ready (${signal ?? `exit ${code}`}); see ${options.logFile}:\n${output.slice(-2_000)}`,
          ),
        );
      });
    });
    const deployment = await readDeploymentFile(options.dataDir);
    if (!deployment)
      throw new Error(`docflow up is ready but wrote no deployment file in ${options.dataDir}`);
    if (child.pid === undefined) throw new Error('docflow up has no pid');
    return { pid: child.pid, readyMs, deployment, stop };
  } catch (error) {
    await stop();
    throw error;
  }
};
