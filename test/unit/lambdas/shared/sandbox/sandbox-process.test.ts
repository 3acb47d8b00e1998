import { describe, expect, it } from 'vitest';
import {
  diedOfHeapExhaustion,
  errorLine,
  residentMb,
  SANDBOX_TASK_ENV,
  sandboxEnv,
  sandboxExecArgv,
  semiSpaceMb,
  withoutHeapFlags,
} from '../../../../../lambdas/shared/sandbox/sandbox-process';

/** What Lambda's bootstrap passes a 2048 MB function's Node (local/lambda/bootstrap.ts). */
const LAMBDA_2048_EXEC_ARGV = [
  '--expose-gc',
  '--max-http-header-size',
  '81920',
  '--max-semi-space-size=102',
  '--max-old-space-size=1844',
];
const BUNDLE = 'file:///var/task/index.mjs';

describe('sandboxExecArgv', () => {
  it("keeps the parent's flags but not Lambda's heap sizes, and caps the whole heap at memoryMb", () => {
    // Act
    const argv = sandboxExecArgv(LAMBDA_2048_EXEC_ARGV, BUNDLE, 512);

    // Assess
    expect(argv).toEqual([
      '--expose-gc',
      '--max-http-header-size',
      '81920',
      '--max-old-space-size=464',
      '--max-semi-space-size=16',
    ]);
  });

  it("carries a local runner's module hooks into the sandboxed process", () => {
    // Prepare
    const hooks = 'file:///work/local/lambda/asset-hooks.ts?taskRoot=%2Fasset';

    // Act
    const argv = sandboxExecArgv([...LAMBDA_2048_EXEC_ARGV, '--import', hooks], BUNDLE, 64);

    // Assess
    expect(argv).toEqual([
      '--expose-gc',
      '--max-http-header-size',
      '81920',
      '--import',
      hooks,
      '--max-old-space-size=58',
      '--max-semi-space-size=2',
    ]);
  });

  it('drops what would change what the process runs or clash with the parent: eval code, tests, inspector', () => {
    // Act
    const argv = sandboxExecArgv(
      [
        '--input-type=module',
        '--eval',
        'console.log(1)',
        '--inspect=9229',
        '-e',
        'x',
        '--test',
        '--no-warnings',
      ],
      BUNDLE,
      64,
    );

    // Assess
    expect(argv).toEqual(['--no-warnings', '--max-old-space-size=58', '--max-semi-space-size=2']);
  });

  it("loads a TypeScript task through tsx's loader, once", () => {
    // Act
    const fresh = sandboxExecArgv([], 'file:///repo/lambdas/thumbnail/render-thumbnail.ts', 64);
    const already = sandboxExecArgv(['--import', 'tsx'], 'file:///repo/lambdas/x.ts', 64);

    // Assess
    expect(fresh).toEqual([
      '--import',
      expect.stringMatching(/^file:\/\/.*\/tsx\/.*/),
      '--max-old-space-size=58',
      '--max-semi-space-size=2',
    ]);
    expect(already).toEqual(['--import', 'tsx', '--max-old-space-size=58', '--max-semi-space-size=2']);
  });
});

describe('semiSpaceMb', () => {
  it.each([
    { memoryMb: 16, expected: 1 },
    { memoryMb: 96, expected: 2 },
    { memoryMb: 256, expected: 8 },
    { memoryMb: 512, expected: 16 },
    { memoryMb: 4096, expected: 16 },
  ])('gives a $memoryMb MiB heap $expected MiB semi-spaces (a power of two)', ({ memoryMb, expected }) => {
    // Act
    const semi = semiSpaceMb(memoryMb);

    // Assess
    expect(semi).toBe(expected);
  });
});

describe('sandboxEnv', () => {
  it("passes the parent's environment on, names the task, and drops heap flags and source maps from NODE_OPTIONS", () => {
    // Prepare
    const parent = {
      AWS_REGION: 'eu-west-1',
      NODE_OPTIONS: '--enable-source-maps --max-old-space-size=2048 --max_semi_space_size=64 --no-warnings',
    };

    // Act
    const env = sandboxEnv(parent, { name: 'thumbnail.render', moduleUrl: BUNDLE });

    // Assess
    expect(env).toEqual({
      AWS_REGION: 'eu-west-1',
      NODE_OPTIONS: '--no-warnings',
      [SANDBOX_TASK_ENV]: JSON.stringify({ name: 'thumbnail.render', moduleUrl: BUNDLE }),
    });
    expect(parent.NODE_OPTIONS).toContain('--max-old-space-size=2048');
  });

  it('removes NODE_OPTIONS when nothing but heap flags was in it', () => {
    // Act
    const env = sandboxEnv({ NODE_OPTIONS: '--max-old-space-size=2048' }, { name: 't', moduleUrl: BUNDLE });

    // Assess
    expect(env).not.toHaveProperty('NODE_OPTIONS');
  });
});

describe('withoutHeapFlags', () => {
  it.each([
    { options: undefined, expected: undefined },
    { options: '--max-old-space-size=1844', expected: undefined },
    { options: '--require ./a.js --max-semi-space-size=8', expected: '--require ./a.js' },
    { options: '--max-old-space-size-percentage=50 --trace-gc', expected: '--trace-gc' },
  ])('turns $options into $expected', ({ options, expected }) => {
    // Act
    const cleaned = withoutHeapFlags(options);

    // Assess
    expect(cleaned).toBe(expected);
  });
});

describe('last words of a dead process', () => {
  it('recognizes V8 running out of heap, whatever the allocation looked like', () => {
    // Prepare
    const reports = [
      'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory',
      'FATAL ERROR: CALL_AND_RETRY_LAST Allocation failed - JavaScript heap out of memory',
      'FATAL ERROR: invalid table size Allocation failed - JavaScript heap out of memory',
    ];

    // Act
    const verdicts = reports.map((report) => diedOfHeapExhaustion(`<--- Last few GCs --->\n${report}\n`));

    // Assess
    expect(verdicts).toEqual([true, true, true]);
    expect(diedOfHeapExhaustion('Segmentation fault (core dumped)')).toBe(false);
  });

  it('finds the line that names the error of a process that could not start', () => {
    // Prepare
    const stderr = [
      'node:internal/modules/run_main:107',
      '    triggerUncaughtException(',
      '    ^',
      '',
      "Error [ERR_MODULE_NOT_FOUND]: Cannot find module '/x/no-such-module.ts'",
      '    at finalizeResolution (node:internal/modules/esm/resolve:274:11)',
      'Node.js v24.21.0',
    ].join('\n');

    // Act
    const line = errorLine(stderr);

    // Assess
    expect(line).toBe("Error [ERR_MODULE_NOT_FOUND]: Cannot find module '/x/no-such-module.ts'");
    expect(errorLine('')).toBeUndefined();
  });
});

describe('residentMb', () => {
  it.runIf(process.platform === 'linux')("reads a live process's resident memory", () => {
    // Act
    const mb = residentMb(process.pid);

    // Assess
    expect(mb).toBeGreaterThan(10);
    expect(mb).toBeLessThan(process.memoryUsage().rss / 1024 / 1024 + 64);
  });

  it('answers undefined for a process that does not exist', () => {
    // Act
    const mb = residentMb(2 ** 31 - 1);

    // Assess
    expect(mb).toBeUndefined();
  });
});
