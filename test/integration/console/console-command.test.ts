import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../cli/main';
import type { ConsoleConfig } from '../../../console/shared/api';
import { writeDeploymentFile } from '../../../local/deployment-file';
import { testArn } from '../../support/aws';
import { memoryTerminal } from '../../support/memory-terminal';

const STATE_MACHINE = testArn.stateMachine('Docflow-dev-Workflow');

let dataDir: string;
const held = new Set<Server>();

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'docflow-console-'));
});

afterEach(async () => {
  await Promise.all([...held].map((server) => new Promise((resolve) => server.close(resolve))));
  held.clear();
  await rm(dataDir, { recursive: true, force: true });
});

const holdPort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      held.add(server);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });

/** A deployment file as a running local cloud writes it; nothing needs to answer at its endpoints. */
const writeLocalDeployment = () =>
  writeDeploymentFile(dataDir, {
    endpoint: 'http://127.0.0.1:4566',
    region: 'us-east-1',
    apiUrl: 'http://127.0.0.1:4567/v1/',
    outputs: {
      StateMachineArn: STATE_MACHINE,
      UploadsBucketName: 'uploads',
      ApiUrl: 'http://127.0.0.1:4567/v1/',
    },
  });

/** Waits until the terminal prints a line that matches. */
const lineMatching = async (lines: readonly string[], pattern: RegExp): Promise<string> => {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const line = lines.find((candidate) => pattern.test(candidate));
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no line matched ${pattern}: ${lines.join(' | ')}`);
};

describe('docflow console', () => {
  it('serves the page and its API for the local cloud of the data folder until SIGTERM', async () => {
    // Prepare
    await writeLocalDeployment();
    const terminal = memoryTerminal();

    // Act
    const exit = runCli(['console', '--port', '0', '--data-dir', dataDir], { terminal, cwd: dataDir });
    const ready = await lineMatching(terminal.stderr, /^docflow console · /);
    const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(ready)?.[0] ?? '';
    const page = await fetch(url);
    const config = (await (await fetch(new URL('api/config', url))).json()) as ConsoleConfig;
    process.emit('SIGTERM');
    const code = await exit;
    const afterStop = await fetch(url).then(
      () => 'answered',
      () => 'refused',
    );

    // Assess
    expect(ready).toBe(`docflow console · ${url} · the local cloud at http://127.0.0.1:4566 · Ctrl-C stops`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app"></div>');
    expect(config).toEqual({
      kind: 'local',
      description: 'the local cloud at http://127.0.0.1:4566',
      region: 'us-east-1',
      stateMachineArn: STATE_MACHINE,
      pollIntervalMs: 2000,
    });
    expect(code).toBe(0);
    expect(afterStop).toBe('refused');
  });

  it('says in one line that the local cloud is not running', async () => {
    // Prepare
    const terminal = memoryTerminal();

    // Act
    const code = await runCli(['console', '--data-dir', dataDir], { terminal, cwd: dataDir });

    // Assess
    expect(code).toBe(1);
    expect(terminal.stderr[0]).toMatch(/^docflow console: the local cloud is not running/);
  });

  it('refuses a chosen port that is taken, and a port that is not a number', async () => {
    // Prepare
    await writeLocalDeployment();
    const port = await holdPort();
    const taken = memoryTerminal();
    const wrong = memoryTerminal();

    // Act
    const takenCode = await runCli(['console', '--port', String(port), '--data-dir', dataDir], {
      terminal: taken,
      cwd: dataDir,
    });
    const wrongCode = await runCli(['console', '--port', 'http'], { terminal: wrong, cwd: dataDir });

    // Assess
    expect(takenCode).toBe(1);
    expect(taken.stderr).toEqual([
      `docflow console: port ${port} (the console) cannot be used (in use): choose another with --port <n>`,
    ]);
    expect(wrongCode).toBe(2);
    expect(wrong.stderr[0]).toBe('docflow console: --port must be a port number from 0 to 65535, not "http"');
  });
});
