import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  cpuTicksByRole,
  type ProcStat,
  parseStat,
  processTree,
  sampleTree,
  statusKiB,
  treePssKiB,
} from '../../../bench/proc';

describe('parseStat', () => {
  it('reads ppid and CPU ticks after a command name holding spaces and parentheses', () => {
    // Prepare: fields 3… are state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
    const line =
      '4242 (node (worker) 1) S 4000 4242 4242 0 -1 4194560 100 0 0 0 150 30 7 3 20 0 11 0 1000 0 0';

    // Act
    const stat = parseStat(line);

    // Assess
    expect(stat).toEqual({ pid: 4242, ppid: 4000, cpuTicks: 190 });
  });

  it('refuses a line that is not a stat line', () => {
    // Act & Assess
    expect(() => parseStat('hello')).toThrow(/not a \/proc stat line/);
  });
});

describe('statusKiB', () => {
  it('reads VmRSS and VmHWM in KiB, undefined when absent', () => {
    // Prepare
    const status = 'Name:\tnode\nVmHWM:\t  812344 kB\nVmRSS:\t  402112 kB\nThreads:\t11\n';

    // Act & Assess
    expect(statusKiB(status, 'VmRSS')).toBe(402_112);
    expect(statusKiB(status, 'VmHWM')).toBe(812_344);
    expect(statusKiB('Name:\tzombie\n', 'VmRSS')).toBeUndefined();
  });
});

describe('processTree', () => {
  it('finds every descendant of the root and nothing else', () => {
    // Prepare
    const stat = (pid: number, ppid: number): [number, ProcStat] => [pid, { pid, ppid, cpuTicks: 0 }];
    const stats = new Map([stat(1, 0), stat(10, 1), stat(11, 10), stat(12, 10), stat(13, 12), stat(20, 1)]);

    // Act & Assess
    expect(processTree(10, stats).sort((a, b) => a - b)).toEqual([10, 11, 12, 13]);
    expect(processTree(99, stats)).toEqual([]);
  });
});

describe('sampleTree', () => {
  it('reads this very process from /proc', () => {
    // Act
    const sample = sampleTree(process.pid);

    // Assess
    expect(sample.processes).toBeGreaterThanOrEqual(1);
    expect(sample.rssKiB).toBeGreaterThan(1_024);
    expect(sample.hwmKiB).toBeGreaterThanOrEqual(sample.rssKiB);
    expect(sample.cpuTicks).toBeGreaterThan(0);
  });
});

describe('treePssKiB', () => {
  it('counts the pages processes share once, so a tree of node processes takes less than its RSS sum', async () => {
    // Prepare: two children running the same node binary as this process.
    const children = [0, 1].map(() =>
      spawn(process.execPath, ['--eval', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }),
    );
    try {
      await Promise.all(children.map((child) => once(child, 'spawn')));
      await new Promise((resolve) => setTimeout(resolve, 300));

      // Act
      const pss = treePssKiB(process.pid);
      const sample = sampleTree(process.pid);

      // Assess
      expect(sample.processes).toBeGreaterThanOrEqual(3);
      expect(pss).toBeGreaterThan(1_024);
      expect(pss).toBeLessThan(sample.rssKiB);
    } finally {
      for (const child of children) child.kill();
    }
  });
});

describe('cpuTicksByRole', () => {
  it('splits a window between up, its environments, their parse processes and the rest', () => {
    // Prepare: 1 is up; 10 and 20 environments; 11 a parse process of 10; 30 the local Textract, 31 its
    // renderer, started within the window. Each row: a process's CPU ticks at the window's start and end.
    const processes: [pid: number, ppid: number, startTicks: number | undefined, endTicks: number][] = [
      [1, 0, 100, 103],
      [10, 1, 50, 58],
      [11, 10, 40, 41],
      [20, 1, 5, 5],
      [30, 1, 9, 9],
      [31, 30, undefined, 2],
    ];
    const sampleAt = (edge: 'start' | 'end'): Map<number, ProcStat> =>
      new Map(
        processes.flatMap(([pid, ppid, startTicks, endTicks]) => {
          const cpuTicks = edge === 'start' ? startTicks : endTicks;
          return cpuTicks === undefined ? [] : [[pid, { pid, ppid, cpuTicks }] as const];
        }),
      );
    const commandLines: Record<number, string> = {
      10: 'node runtime.mjs?taskRoot=/a',
      11: 'node runtime.mjs?taskRoot=/a',
      20: 'node runtime.mjs?taskRoot=/b',
      30: 'node textract.mjs',
    };

    // Act
    const ticks = cpuTicksByRole(1, sampleAt('start'), sampleAt('end'), (pid) => commandLines[pid] ?? '');

    // Assess
    expect(ticks).toEqual({ up: 3, environments: 8, parseProcesses: 1, other: 2 });
  });
});
