import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../../bench/cloud-process';
import { type CpuProfile, moduleOf, selfTimes, top } from '../../../bench/profile';

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
