import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sourcePositions } from '../lambdas/shared/runtime/source-mapped-stacks';
import { PROJECT_ROOT } from './cloud-process';

/**
 * Reads the V8 CPU profiles `node --cpu-prof` writes (one per thread: the main thread and each worker)
 * and says where the time went: self time by function and by module, within time windows. Profile
 * timestamps are microseconds of the monotonic clock, which `process.hrtime` reads too, so windows
 * marked by the bench line up with the profiled process's samples.
 */

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  /** 0-based, as V8 writes them. */
  readonly lineNumber: number;
  readonly columnNumber?: number;
}

/** Source positions of the built files' frames (1-based, as source maps count). */
const sourceOf = sourcePositions();

/**
 * The frame at its TypeScript source when it ran in a built file that has its map beside it: `up`
 * runs the CLI built into `node_modules/.cache` (docs/decisions.md 71), which would otherwise read as
 * one package named `.cache`.
 */
export const sourceFrame = (frame: CallFrame): CallFrame => {
  if (!frame.url.startsWith('file:') || !frame.url.includes('/node_modules/.cache/')) return frame;
  const source = sourceOf(fileURLToPath(frame.url), frame.lineNumber + 1, (frame.columnNumber ?? 0) + 1);
  if (source === undefined) return frame;
  return {
    ...frame,
    url: pathToFileURL(source.file).href,
    lineNumber: source.line - 1,
    columnNumber: source.column - 1,
  };
};

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
}

/** The `.cpuprofile` JSON, the fields read here. */
export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface TimeWindow {
  readonly name: string;
  /** Monotonic µs (`process.hrtime.bigint() / 1000n`). */
  readonly from: number;
  readonly to: number;
}

/** What a frame's script is: an npm package, Node's own loader, a docflow folder, or V8's bookkeeping. */
export const moduleOf = (frame: CallFrame): string => {
  const { url, functionName } = frame;
  if (url === '') {
    if (functionName.startsWith('(')) return functionName; // (garbage collector), (idle), (program)
    return '(native)';
  }
  const at = url.lastIndexOf('node_modules/');
  if (at >= 0) {
    const parts = url.slice(at + 'node_modules/'.length).split('/');
    return (parts[0]?.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
  }
  if (url.startsWith('node:internal/modules') || url.startsWith('node:internal/vm'))
    return 'node: module loading';
  if (url.startsWith('node:')) return `node: ${url.slice('node:'.length).split('/').slice(0, 2).join('/')}`;
  const path = url.replace(/^file:\/\//, '');
  if (path.startsWith(`${PROJECT_ROOT}/`)) {
    const parts = path.slice(PROJECT_ROOT.length + 1).split('/');
    return `docflow: ${parts.slice(0, parts[0] === 'lambdas' || parts[0] === 'local' ? 2 : 1).join('/')}`;
  }
  return url;
};

export interface SelfTime {
  readonly key: string;
  readonly ms: number;
}

/**
 * Self time per node, within a window: each sample is charged its delta to the node it hit. Returns
 * per-frame and per-module totals, and the whole sampled time.
 */
export const selfTimes = (
  profile: CpuProfile,
  window: Pick<TimeWindow, 'from' | 'to'> = { from: -Infinity, to: Infinity },
): { byFunction: Map<string, number>; byModule: Map<string, number>; totalMs: number; busyMs: number } => {
  const frames = new Map(profile.nodes.map((node) => [node.id, sourceFrame(node.callFrame)]));
  const byFunction = new Map<string, number>();
  const byModule = new Map<string, number>();
  let time = profile.startTime;
  let totalMs = 0;
  let busyMs = 0;
  for (const [index, nodeId] of profile.samples.entries()) {
    // timeDeltas[i] is the time from the previous sample to sample i: it is charged to sample i.
    const delta = profile.timeDeltas[index] ?? 0;
    time += delta;
    if (time < window.from || time > window.to) continue;
    const frame = frames.get(nodeId);
    if (!frame) continue;
    const ms = delta / 1000;
    totalMs += ms;
    const module = moduleOf(frame);
    if (module !== '(idle)') busyMs += ms;
    const where = frame.url
      ? `${frame.url.replace(/^file:\/\//, '').replace(`${PROJECT_ROOT}/`, '')}:${frame.lineNumber + 1}`
      : '';
    const name = `${frame.functionName || '(anonymous)'} ${where}`.trim();
    byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
    byModule.set(module, (byModule.get(module) ?? 0) + ms);
  }
  return { byFunction, byModule, totalMs, busyMs };
};

export const top = (
  times: ReadonlyMap<string, number>,
  count: number,
  skip: ReadonlySet<string>,
): SelfTime[] =>
  [...times]
    .filter(([key]) => !skip.has(key))
    .map(([key, ms]) => ({ key, ms }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, count);

/** Which thread a profile is: the main thread, or a worker named by the docflow code it ran most. */
const threadLabel = (file: string, byModule: ReadonlyMap<string, number>): string => {
  // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; thread 0 is the main thread.
  const thread = file.split('.').at(-3);
  if (thread === '0') return `main thread (${file})`;
  const docflow = top(
    new Map(
      [...byModule].filter(
        ([key]) => key.startsWith('docflow:') || key.startsWith('tesseract') || key === 'pdfjs-dist',
      ),
    ),
    1,
    new Set(),
  )[0];
  return `worker ${thread} [${docflow?.key ?? 'no docflow code'}]`;
};

const SKIP = new Set(['(idle)', '(program)']);
const pad = (value: number): string => value.toFixed(0).padStart(7);

/** A summary, window by window: busy time per thread, then the top modules and functions of all threads. */
export const summarizeProfiles = async (dir: string, windows: readonly TimeWindow[]): Promise<string[]> => {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.cpuprofile')).sort();
  const profiles = await Promise.all(
    files.map(async (file) => ({
      file,
      profile: JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile,
    })),
  );
  const lines: string[] = [`${profiles.length} profiles in ${dir}`];
  for (const window of windows) {
    lines.push('', `== ${window.name}: ${((window.to - window.from) / 1000).toFixed(0)} ms wall`);
    const allModules = new Map<string, number>();
    const allFunctions = new Map<string, number>();
    const threads: { label: string; busyMs: number; modules: SelfTime[] }[] = [];
    for (const { file, profile } of profiles) {
      const times = selfTimes(profile, window);
      if (times.busyMs < 1) continue;
      threads.push({
        label: threadLabel(file, times.byModule),
        busyMs: times.busyMs,
        modules: top(times.byModule, 4, SKIP),
      });
      for (const [key, ms] of times.byModule) allModules.set(key, (allModules.get(key) ?? 0) + ms);
      for (const [key, ms] of times.byFunction) allFunctions.set(key, (allFunctions.get(key) ?? 0) + ms);
    }
    const busy = threads.reduce((total, thread) => total + thread.busyMs, 0);
    lines.push(`busy (not idle) CPU over all threads: ${busy.toFixed(0)} ms`);
    for (const thread of threads.sort((a, b) => b.busyMs - a.busyMs).slice(0, 12)) {
      lines.push(`  ${pad(thread.busyMs)} ms  ${thread.label}`);
      lines.push(
        `             ${thread.modules.map(({ key, ms }) => `${key} ${ms.toFixed(0)}`).join(' · ')}`,
      );
    }
    lines.push('top modules by self time:');
    for (const { key, ms } of top(allModules, 15, SKIP)) lines.push(`  ${pad(ms)} ms  ${key}`);
    lines.push('top functions by self time:');
    for (const { key, ms } of top(allFunctions, 15, SKIP)) lines.push(`  ${pad(ms)} ms  ${key}`);
  }
  return lines;
};
