import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../cli/main';
import { PROJECT_ROOT } from '../../../cli/paths';
import { deploymentFilePath, readDeploymentFile } from '../../../local/deployment-file';
import { memoryTerminal } from '../../support/memory-terminal';

let root: string;
const children = new Set<ChildProcess>();
const held = new Set<Server>();

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'docflow-up-'));
});

afterEach(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
  await Promise.all([...held].map((server) => new Promise((resolve) => server.close(resolve))));
  held.clear();
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Listens on a port of 127.0.0.1 (0: any free one) and returns the port; closed after each test. */
const holdPort = (port = 0): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      held.add(server);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });

/** Whether a port of 127.0.0.1 can be listened on right now. */
const isFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** A port nothing listens on (free when asked; the tests use it at once). */
const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

/** Servers listening in this process, once closed handles are released (a macrotask after close). */
const listeningServers = async (): Promise<number> => {
  await new Promise((resolve) => setTimeout(resolve, 0));
  return process.getActiveResourcesInfo().filter((kind) => kind === 'TCPServerWrap').length;
};

interface Run {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exit: Promise<number | null>;
  /** Resolves with stderr once a line matches, rejects if the process ends first. */
  readonly waitFor: (pattern: RegExp) => Promise<string>;
}

/** Runs `docflow …` as a user does: through bin/docflow.mjs, in its own process. */
const docflow = (args: readonly string[]): Run => {
  const env = { ...process.env };
  delete env.npm_lifecycle_event;
  const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'docflow.mjs'), ...args], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  const waiters: Array<() => void> = [];
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    for (const wake of waiters) wake();
  });
  const exit = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      for (const wake of waiters) wake();
      resolve(code);
    });
  });
  const waitFor = (pattern: RegExp): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (pattern.test(stderr)) resolve(stderr);
        else if (child.exitCode !== null || child.signalCode !== null) {
          reject(new Error(`docflow ended (${child.exitCode}) before ${pattern}:\n${stderr}`));
        }
      };
      waiters.push(check);
      check();
    });
  return { child, stdout: () => stdout, stderr: () => stderr, exit, waitFor };
};

const lines = (text: string): string[] => text.split('\n').filter((line) => line !== '');

const STACK_FRAME = /^\s+at /m;

describe('docflow up, when a port is taken', () => {
  it.each([
    ['--port', 'the AWS endpoint', 'another docflow up or LocalStack'],
    ['--api-port', 'the query API', 'another docflow up'],
  ])('says so in one line for %s, exits 1 and touches nothing', async (flag, service, suspects) => {
    // Prepare
    const taken = await holdPort();
    const other = flag === '--port' ? '--api-port' : '--port';
    const dataDir = join(root, `taken${flag}`);

    // Act
    const run = docflow(['up', flag, String(taken), other, '0', '--data-dir', dataDir]);
    const code = await run.exit;

    // Assess
    expect(code).toBe(1);
    expect(lines(run.stderr())).toEqual([
      `docflow up: port ${taken} (${service}) is in use, perhaps by ${suspects}: stop it, or choose another port with ${flag} <n>`,
    ]);
    expect(run.stderr()).not.toMatch(STACK_FRAME);
    expect(run.stdout()).toBe('');
    expect(existsSync(dataDir)).toBe(false);
  });

  it('stops everything it started when the port is taken after the check, and writes no deployment file', async () => {
    // Prepare
    const [port, apiPort] = [await freePort(), await freePort()];
    const dataDir = join(root, 'late');
    const listeningBefore = await listeningServers();
    let listeningWhileDeploying = 0;
    const terminal = memoryTerminal();
    const info = terminal.info;
    let grabbed: Promise<number> | undefined;
    // The gateway and the emulators are up once deploying starts; the query API listens last.
    const racing = {
      ...terminal,
      info: (line: string) => {
        if (line.startsWith('deploying')) {
          listeningWhileDeploying = process
            .getActiveResourcesInfo()
            .filter((kind) => kind === 'TCPServerWrap').length;
          grabbed = holdPort(apiPort);
        }
        info(line);
      },
    };

    // Act
    const code = await runCli(
      ['up', '--port', String(port), '--api-port', String(apiPort), '--data-dir', dataDir],
      { terminal: racing, cwd: root },
    );

    // Assess
    expect(await grabbed).toBe(apiPort);
    expect(code).toBe(1);
    expect(terminal.stderr.at(-1)).toBe(
      `docflow up: port ${apiPort} (the query API) is in use, perhaps by another docflow up: stop it, or choose another port with --api-port <n>`,
    );
    expect(await isFree(port)).toBe(true);
    expect(existsSync(deploymentFilePath(dataDir))).toBe(false);
    for (const server of held) await new Promise((resolve) => server.close(resolve));
    held.clear();
    // The count sees the emulators and the gateway (so it can tell a leak), and they are gone.
    expect(listeningWhileDeploying).toBeGreaterThanOrEqual(listeningBefore + 3);
    const listeningAfter = await listeningServers();
    expect(listeningAfter).toBe(listeningBefore);
  });
});

describe('docflow up', () => {
  it('listens on --port and --api-port with its heap flags, refuses a second up on its data folder, and frees both on SIGTERM', async () => {
    // Prepare
    const [port, apiPort] = [await freePort(), await freePort()];
    const dataDir = join(root, 'ports');

    // Act
    const run = docflow(['up', '--port', String(port), '--api-port', String(apiPort), '--data-dir', dataDir]);
    const ready = lines(await run.waitFor(/^docflow ready .*$/m)).find((line) =>
      line.startsWith('docflow ready'),
    );
    const deployment = await readDeploymentFile(dataDir);
    const commandLine = (await readFile(`/proc/${run.child.pid}/cmdline`, 'utf8')).split('\0');
    const environment = (await readFile(`/proc/${run.child.pid}/environ`, 'utf8')).split('\0');
    const second = docflow(['up', '--port', '0', '--api-port', '0', '--data-dir', dataDir]);
    const secondCode = await second.exit;
    run.child.kill('SIGTERM');
    const code = await run.exit;

    // Assess
    expect(ready).toContain(`AWS endpoint http://127.0.0.1:${port} `);
    expect(ready).toContain(`query API http://127.0.0.1:${apiPort}/`);
    expect(deployment?.endpoint).toBe(`http://127.0.0.1:${port}`);
    expect(new URL(deployment?.apiUrl ?? 'http://x').port).toBe(String(apiPort));
    // Started with no Node flags, it runs (as the same process) with its heap and malloc settings.
    expect(commandLine).toEqual(
      expect.arrayContaining(['--max-semi-space-size=16', '--heap-growing-percent=50', '--expose-gc']),
    );
    expect(environment).toContain('MALLOC_ARENA_MAX=2');
    expect(secondCode).toBe(1);
    expect(lines(second.stderr())).toEqual([
      `docflow up: the local cloud is already running on the data folder ports (http://127.0.0.1:${port}): use it, stop it first (Ctrl-C where it runs), or start another with --data-dir <dir>`,
    ]);
    expect(code).toBe(0);
    expect(lines(run.stderr()).at(-1)).toBe('Stopped; the state is kept for the next start.');
    expect(run.stderr()).not.toMatch(STACK_FRAME);
    expect(existsSync(deploymentFilePath(dataDir))).toBe(false);
    expect(await isFree(port)).toBe(true);
    expect(await isFree(apiPort)).toBe(true);
  });

  it('says in one line when the data folder cannot be written', async () => {
    // Prepare
    const file = join(root, 'a-file');
    await writeFile(file, 'not a folder');
    const terminal = memoryTerminal();

    // Act
    const code = await runCli(['up', '--port', '0', '--api-port', '0', '--data-dir', join(file, 'state')], {
      terminal,
      cwd: root,
    });

    // Assess
    expect(code).toBe(1);
    expect(terminal.stderr).toEqual([
      `docflow up: cannot write the data folder ${join('a-file', 'state')} (a part of its path is a file): choose another with --data-dir <dir>`,
    ]);
    expect(await readFile(file, 'utf8')).toBe('not a folder');
  });
});
