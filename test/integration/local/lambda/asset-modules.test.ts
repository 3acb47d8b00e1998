import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingsQuery } from '../../../../local/lambda/asset-modules';
import { buildRuntimeFiles } from '../../../../local/lambda/runtime-files';

const HOOKS = buildRuntimeFiles(join(tmpdir(), 'docflow-lambda-runtime')).hooksUrl;

/** What the asset's module got for each load: the module's value, or the error's code and first line. */
type Probe = Record<string, string | { code?: string; message: string }>;

// A project with its own node_modules and, in its cdk.out, an asset with node_modules of its own.
const ASSET_PROBE = `
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
const require = createRequire(import.meta.url);
const attempt = async (load) => {
  try {
    const value = await load();
    return typeof value === 'string' ? value : value.default;
  } catch (error) {
    return { code: error.code, message: error.message.split('\\n')[0] };
  }
};
export const probe = async () => ({
  carried: await attempt(() => require('carried')),
  carriedImport: await attempt(() => import('carried')),
  projectOnly: await attempt(() => require('only-in-project')),
  projectOnlyImport: await attempt(() => import('only-in-project')),
  projectOnlyByPath: await attempt(() => import('../../node_modules/only-in-project/index.js')),
  native: await attempt(() => require('native-thing')),
  nativeImport: await attempt(() => import('native-thing')),
  nativeNotCarried: await attempt(() => require('other-native')),
  inWorker: await new Promise((resolve) => {
    const worker = new Worker(new URL('./worker.mjs', import.meta.url));
    worker.once('message', resolve);
    worker.once('error', (error) => resolve(error.message));
  }),
});
`;

const WORKER_PROBE = `
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';
try {
  createRequire(import.meta.url)('only-in-project');
  parentPort.postMessage('loaded');
} catch (error) {
  parentPort.postMessage(error.code);
}
`;

const RUN_PROBE = `
import { pathToFileURL } from 'node:url';
const { probe } = await import(pathToFileURL(process.argv[2]).href);
process.stdout.write(JSON.stringify(await probe()));
`;

describe('the module resolution of an execution environment', () => {
  let project: string;
  let taskRoot: string;

  const write = (path: string, contents: string): void => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, contents);
  };
  const cjsPackage = (folder: string, name: string, value: string): void => {
    write(join(folder, 'node_modules', name, 'package.json'), JSON.stringify({ name, main: 'index.js' }));
    write(join(folder, 'node_modules', name, 'index.js'), `module.exports = ${JSON.stringify(value)};`);
  };

  /** Runs the asset's probe in a process, with the environment's resolution policy or without. */
  const probe = async (policy: boolean): Promise<Probe> => {
    const query = settingsQuery({
      taskRoot,
      hostModules: join(project, 'node_modules'),
      hostPackages: ['native-thing', 'other-native'],
    });
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        ...(policy ? ['--import', `${HOOKS}?${query}`] : []),
        join(project, 'run-probe.mjs'),
        join(taskRoot, 'index.mjs'),
      ],
      { cwd: taskRoot },
    );
    return JSON.parse(stdout) as Probe;
  };

  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), 'docflow-asset-modules-'));
    taskRoot = join(project, 'cdk.out', 'asset.0123');
    cjsPackage(project, 'only-in-project', 'project copy');
    cjsPackage(project, 'native-thing', 'host-platform copy');
    cjsPackage(project, 'other-native', 'host-platform copy of a package the asset lacks');
    cjsPackage(taskRoot, 'carried', 'asset copy');
    cjsPackage(taskRoot, 'native-thing', 'Lambda-platform copy');
    write(join(taskRoot, 'index.mjs'), ASSET_PROBE);
    write(join(taskRoot, 'worker.mjs'), WORKER_PROBE);
    write(join(project, 'run-probe.mjs'), RUN_PROBE);
  });

  afterAll(() => {
    rmSync(project, { recursive: true, force: true });
  });

  it('finds the project’s packages from the asset without the policy: what it guards against', async () => {
    // Act
    const loaded = await probe(false);

    // Assess
    expect(loaded.projectOnly).toBe('project copy');
    expect(loaded.native).toBe('Lambda-platform copy');
  });

  it('loads what the asset carries, and refuses what only the project has, as Node refuses a missing package', async () => {
    // Act
    const loaded = await probe(true);

    // Assess
    expect(loaded.carried).toBe('asset copy');
    expect(loaded.carriedImport).toBe('asset copy');
    expect(loaded.projectOnly).toEqual({
      code: 'MODULE_NOT_FOUND',
      message:
        "Cannot find module 'only-in-project' (outside the function’s asset, where Lambda would not look)",
    });
    expect(loaded.projectOnlyImport).toEqual({
      code: 'ERR_MODULE_NOT_FOUND',
      message: `Cannot find package 'only-in-project' imported from ${join(taskRoot, 'index.mjs')} (outside the function’s asset, where Lambda would not look)`,
    });
    expect(loaded.projectOnlyByPath).toMatchObject({ code: 'ERR_MODULE_NOT_FOUND' });
    expect(loaded.inWorker).toBe('MODULE_NOT_FOUND');
  });

  it('resolves a native package the asset carries to the host’s copy, and only one it carries', async () => {
    // Act
    const loaded = await probe(true);

    // Assess
    expect(loaded.native).toBe('host-platform copy');
    expect(loaded.nativeImport).toBe('host-platform copy');
    expect(loaded.nativeNotCarried).toMatchObject({ code: 'MODULE_NOT_FOUND' });
  });
});
