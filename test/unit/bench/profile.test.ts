import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../../bench/cloud-process';
import { type CpuProfile, moduleOf, selfTimes, sourceFrame, top } from '../../../bench/profile';
import { buildJavaScriptEntry } from '../../../local/build/javascript-entry';

const folder = mkdtempSync(join(tmpdir(), 'bench-profile-'));

afterAll(() => rmSync(folder, { recursive: true, force: true }));

const frame = (functionName: string, url = '') => ({ functionName, url, lineNumber: 0 });

describe('moduleOf', () => {
  it('names npm packages, Node’s module loader, docflow folders and V8’s own entries', () => {
    // Act & Assess
    expect(moduleOf(frame('x', `file://${PROJECT_ROOT}/node_modules/pdfjs-dist/legacy/build/pdf.mjs`))).toBe(
      'pdfjs-dist',
    );
    expect(
      moduleOf(frame('x', `file://${PROJECT_ROOT}/node_modules/@aws-sdk/client-s3/dist-cjs/index.js`)),
    ).toBe('@aws-sdk/client-s3');
    expect(moduleOf(frame('compileSourceTextModule', 'node:internal/modules/esm/utils'))).toBe(
      'node: module loading',
    );
    expect(moduleOf(frame('x', `file://${PROJECT_ROOT}/local/lambda/runner.ts`))).toBe(
      'docflow: local/lambda',
    );
    expect(moduleOf(frame('(garbage collector)'))).toBe('(garbage collector)');
  });
});

describe('sourceFrame', () => {
  it('puts a frame of a built file in node_modules/.cache at its TypeScript source, through the map beside it', () => {
    // Arrange
    mkdirSync(join(folder, 'src'));
    const source = join(folder, 'src', 'work.ts');
    writeFileSync(
      source,
      'export const before = 1;\n\nexport function busyWork(n: number): number {\n  return n * 2;\n}\n',
    );
    const entry = join(folder, 'src', 'entry.ts');
    writeFileSync(entry, "import { busyWork } from './work';\nconsole.log(busyWork(2));\n");
    const built = buildJavaScriptEntry(entry, join(folder, 'node_modules', '.cache', 'x'), {
      sourceMap: true,
    });
    const lines = readFileSync(built, 'utf8').split('\n');
    const line = lines.findIndex((text) => text.includes('function busyWork'));
    const column = lines[line]?.indexOf('busyWork') ?? -1;

    // Act
    const mapped = sourceFrame({
      functionName: 'busyWork',
      url: pathToFileURL(built).href,
      lineNumber: line,
      columnNumber: column,
    });
    const elsewhere = sourceFrame(frame('x', `file://${PROJECT_ROOT}/local/lambda/runner.ts`));

    // Assess
    expect(line).toBeGreaterThanOrEqual(0);
    expect(mapped).toMatchObject({ url: pathToFileURL(source).href, lineNumber: 2 });
    expect(elsewhere).toEqual(frame('x', `file://${PROJECT_ROOT}/local/lambda/runner.ts`));
  });
});

describe('selfTimes', () => {
  it('charges each sample its time delta, within the window only', () => {
    // Prepare: samples at 1000+100, +200, +300, +400 µs
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)') },
        { id: 2, callFrame: frame('parse', 'node:internal/modules/cjs/loader') },
        { id: 3, callFrame: frame('(idle)') },
      ],
      startTime: 1_000,
      endTime: 1_400,
      samples: [2, 2, 3, 2],
      timeDeltas: [100, 100, 100, 100],
    };

    // Act
    const all = selfTimes(profile);
    const windowed = selfTimes(profile, { from: 1_150, to: 1_350 });

    // Assess
    expect(all.totalMs).toBeCloseTo(0.4, 10);
    expect(all.busyMs).toBeCloseTo(0.3, 10);
    expect(all.byModule.get('node: module loading')).toBeCloseTo(0.3, 10);
    expect(windowed.totalMs).toBeCloseTo(0.2, 10);
    expect(windowed.busyMs).toBeCloseTo(0.1, 10);
  });
});

describe('top', () => {
  it('sorts by time and leaves out what it is told to', () => {
    // Act & Assess
    expect(
      top(
        new Map([
          ['a', 1],
          ['b', 3],
          ['(idle)', 9],
          ['c', 2],
        ]),
        2,
        new Set(['(idle)']),
      ),
    ).toEqual([
      { key: 'b', ms: 3 },
      { key: 'c', ms: 2 },
    ]);
  });
});
