import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Memory and CPU of a process and everything it started, read from Linux's /proc. The local cloud's
 * functions may run as worker threads (inside the process) or as child processes; summing the tree
 * counts both, so the figures stay comparable whichever way the runner goes.
 */

/** One process's line in /proc/<pid>/stat, the fields the bench reads. */
export interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  /** utime + stime + cutime + cstime, in clock ticks: its own CPU and that of children it reaped. */
  readonly cpuTicks: number;
}

/**
 * Parses /proc/<pid>/stat. The command name (field 2) is in parentheses and may itself hold spaces
 * and parentheses, so the fields are counted from the last `)`.
 */
export const parseStat = (line: string): ProcStat => {
  const close = line.lastIndexOf(')');
  const pid = Number.parseInt(line, 10);
  if (close < 0 || !Number.isInteger(pid)) throw new Error(`not a /proc stat line: ${line.slice(0, 80)}`);
  // After the name: state(3) ppid(4) … utime(14) stime(15) cutime(16) cstime(17).
  const fields = line.slice(close + 2).split(' ');
  const field = (n: number): number => Number(fields[n - 3]);
  return { pid, ppid: field(4), cpuTicks: field(14) + field(15) + field(16) + field(17) };
};

/**
 * A `Key:   123 kB` line of /proc/<pid>/status or /proc/<pid>/smaps_rollup, in KiB; undefined when
 * absent (a zombie has no VmRSS).
 */
export const statusKiB = (status: string, key: 'VmRSS' | 'VmHWM' | 'Pss'): number | undefined => {
  const match = new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(status);
  return match ? Number(match[1]) : undefined;
};

const readOrUndefined = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process ended between the listing and the read
  }
};

/** Every process's stat line, keyed by pid. */
const allStats = (): Map<number, ProcStat> => {
  const stats = new Map<number, ProcStat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const line = readOrUndefined(`/proc/${entry}/stat`);
    if (line) stats.set(Number(entry), parseStat(line));
  }
  return stats;
};

/** The pids of `root` and all its descendants, root first. */
export const processTree = (root: number, stats: ReadonlyMap<number, ProcStat> = allStats()): number[] => {
  const children = new Map<number, number[]>();
  for (const stat of stats.values()) {
    const siblings = children.get(stat.ppid) ?? [];
    siblings.push(stat.pid);
    children.set(stat.ppid, siblings);
  }
  const tree: number[] = [];
  const queue = stats.has(root) ? [root] : [];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
};

export interface TreeSample {
  /** Processes in the tree. */
  readonly processes: number;
  /** Σ VmRSS of the tree, KiB. */
  readonly rssKiB: number;
  /** Σ VmHWM (each process's own peak RSS) of the tree, KiB: an upper bound of the tree's peak. */
  readonly hwmKiB: number;
  /** Σ CPU ticks of the tree, see {@link ProcStat.cpuTicks}. */
  readonly cpuTicks: number;
}

/** Memory and CPU of a process tree now. */
export const sampleTree = (root: number): TreeSample => {
  const stats = allStats();
  let rssKiB = 0;
  let hwmKiB = 0;
  let cpuTicks = 0;
  const pids = processTree(root, stats);
  for (const pid of pids) {
    const status = readOrUndefined(`/proc/${pid}/status`) ?? '';
    rssKiB += statusKiB(status, 'VmRSS') ?? 0;
    hwmKiB += statusKiB(status, 'VmHWM') ?? 0;
    cpuTicks += stats.get(pid)?.cpuTicks ?? 0;
  }
  return { processes: pids.length, rssKiB, hwmKiB, cpuTicks };
};

let ticksPerSecond: number | undefined;

/** The kernel's clock ticks per second (`getconf CLK_TCK`, 100 on every common Linux). */
export const clockTicksPerSecond = (): number => {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
};

/**
 * Samples a process tree's RSS every `intervalMs` until stopped, keeping the largest sum seen: the
 * tree's peak, as close as the interval allows (VmHWM is per process, and processes peak at different
 * times, so the sum of their peaks overstates it).
 */
export class RssSampler {
  #peakKiB = 0;
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly root: number,
    intervalMs = 250,
  ) {
    this.#timer = setInterval(() => this.sample(), intervalMs);
    this.#timer.unref();
  }

  sample(): TreeSample {
    const sample = sampleTree(this.root);
    this.#peakKiB = Math.max(this.#peakKiB, sample.rssKiB);
    return sample;
  }

  get peakKiB(): number {
    return this.#peakKiB;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

export const kibToMiB = (kib: number): number => kib / 1024;

/** One process's VmRSS, KiB; undefined once it has ended. */
export const processRssKiB = (pid: number): number | undefined =>
  statusKiB(readOrUndefined(`/proc/${pid}/status`) ?? '', 'VmRSS');

/**
 * Σ PSS of a process tree, KiB: each page counted once however many processes map it. Σ RSS counts
 * the pages the processes share once per process: the node binary's ~50 MiB of code, and the native
 * libraries (libvips, skia) that environments and parse processes load alike.
 */
export const treePssKiB = (root: number): number =>
  processTree(root).reduce(
    (sum, pid) => sum + (statusKiB(readOrUndefined(`/proc/${pid}/smaps_rollup`) ?? '', 'Pss') ?? 0),
    0,
  );

/** The CPU ticks of each process of a tree, keyed by pid: a snapshot to split a window's CPU by process. */
export const treeStats = (root: number): Map<number, ProcStat> => {
  const stats = allStats();
  return new Map(processTree(root, stats).map((pid) => [pid, stats.get(pid) as ProcStat]));
};

/** What a process of the cloud's tree is, from where it sits and what it runs. */
export type ProcessRole = 'up' | 'environments' | 'parseProcesses' | 'other';

/**
 * Splits the CPU a tree spent between two {@link treeStats} snapshots by role: `up` itself, its Lambda
 * execution environments (their command line names a `taskRoot`), the sandboxed parse processes those
 * started, and the rest (the local Textract process and its renderers). A process started in the window
 * counts whole; one that ended in it counts in its parent's reaped-children time, if reaped.
 */
export const cpuTicksByRole = (
  root: number,
  before: ReadonlyMap<number, ProcStat>,
  after: ReadonlyMap<number, ProcStat>,
  commandLineOf: (pid: number) => string = (pid) => readOrUndefined(`/proc/${pid}/cmdline`) ?? '',
): Record<ProcessRole, number> => {
  const ticks: Record<ProcessRole, number> = { up: 0, environments: 0, parseProcesses: 0, other: 0 };
  const environments = new Set<number>();
  for (const stat of after.values()) {
    if (stat.ppid === root && commandLineOf(stat.pid).includes('taskRoot=')) environments.add(stat.pid);
  }
  for (const stat of after.values()) {
    const role: ProcessRole =
      stat.pid === root
        ? 'up'
        : environments.has(stat.pid)
          ? 'environments'
          : environments.has(stat.ppid)
            ? 'parseProcesses'
            : 'other';
    ticks[role] += stat.cpuTicks - (before.get(stat.pid)?.cpuTicks ?? 0);
  }
  return ticks;
};
