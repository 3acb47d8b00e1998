import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/**
 * How a sandboxed task's process is started and watched: its Node flags, its environment, its resident
 * memory, and what its dying words mean. Kept apart from the runner so that each rule can be read (and
 * tested) on its own.
 */

/** The variable that makes a process started on a task's module serve that task (see sandboxed-task). */
export const SANDBOX_TASK_ENV = 'DOCFLOW_SANDBOXED_TASK';

/** The task a sandboxed process serves, as the parent passes it in {@link SANDBOX_TASK_ENV}. */
export interface SandboxedTaskSpec {
  readonly name: string;
  readonly moduleUrl: string;
}

/**
 * V8 heap flags that a parent may carry and that must not reach a sandboxed process: Lambda's bootstrap
 * passes `--max-old-space-size` and `--max-semi-space-size` derived from the function's memory (unless
 * `NODE_OPTIONS` sets the first), and a function may set them in `NODE_OPTIONS` itself.
 */
const HEAP_FLAG = /(^|\s)--max[-_](?:old|semi)[-_]space[-_]size(?:[-_=]\S*)?(?=\s|$)/g;

/**
 * `--enable-source-maps`, which docflow's functions set in `NODE_OPTIONS`: a sandboxed process's stack
 * traces never leave it (its errors cross as name and message), and the flag makes it parse the
 * bundle's source map as it loads, ~100 ms of CPU and 30–60 MB resident per process.
 */
const SOURCE_MAPS_FLAG = /(^|\s)--enable[-_]source[-_]maps(?=\s|$)/g;

/** `NODE_OPTIONS` without the heap flags, or undefined when nothing else is left. */
export const withoutHeapFlags = (nodeOptions: string | undefined): string | undefined => {
  const cleaned = nodeOptions?.replace(HEAP_FLAG, '$1').replace(/\s+/g, ' ').trim();
  return cleaned ? cleaned : undefined;
};

/**
 * The young generation's semi-space of a process capped at `memoryMb`, in MiB. V8 sizes the young
 * generation at three semi-spaces, by default 64 MiB each on Node 24 (192 MiB above the old space), and
 * Lambda's bootstrap passes a tenth of the function memory as the young generation (306 MiB at 2048 MB):
 * a small share (a 32nd of the cap, at most 16 MiB) keeps the whole heap within the cap and costs a few
 * more scavenges.
 */
export const semiSpaceMb = (memoryMb: number): number =>
  // A power of two: V8 rounds a semi-space up to one, and the heap would outgrow the cap.
  2 ** Math.max(0, Math.min(4, Math.floor(Math.log2(memoryMb / 32))));

/**
 * Flags of the parent that a sandboxed process must not inherit: heap sizes (its own come last, and
 * win, but a reader of `ps` should not see two), source maps (see {@link SOURCE_MAPS_FLAG}), and
 * flags that would change what it runs or bind what the parent holds (`--eval`, `--test`,
 * `--watch`, an inspector port).
 */
const NOT_INHERITED =
  /^(?:-[ep]|--(?:max[-_](?:old|semi)[-_]space[-_]size|max[-_]heap[-_]size|enable[-_]source[-_]maps|eval|print|input-type|test|watch|inspect|debug-port))(?:[-_=]|$)/;

/**
 * The command-line flags of a sandboxed process: the parent's own (Node's default for a fork, which a
 * local Lambda runner relies on to carry its module-resolution hooks into children), less
 * {@link NOT_INHERITED}, then the heap flags. Command-line flags win over `NODE_OPTIONS`, and the
 * last of a repeated flag wins, so the whole V8 heap (old space plus three semi-spaces) is `memoryMb`
 * whatever Lambda's bootstrap passed. TypeScript sources (vitest, tsx) need tsx's loader; a bundle is
 * JavaScript and needs none.
 */
export const sandboxExecArgv = (
  parentExecArgv: readonly string[],
  moduleUrl: string,
  memoryMb: number,
): string[] => {
  const inherited: string[] = [];
  for (let index = 0; index < parentExecArgv.length; index++) {
    const flag = parentExecArgv[index] as string;
    if (!NOT_INHERITED.test(flag)) {
      inherited.push(flag);
      continue;
    }
    // A value given apart (`--eval <code>`) goes with its flag: in execArgv, only values lack a dash.
    const next = parentExecArgv[index + 1];
    if (!flag.includes('=') && next !== undefined && !next.startsWith('-')) index += 1;
  }
  const semi = semiSpaceMb(memoryMb);
  const heap = [`--max-old-space-size=${memoryMb - 3 * semi}`, `--max-semi-space-size=${semi}`];
  const hasTsx = inherited.some((flag) => /(?:^|[/\\])tsx(?:$|[/\\])/.test(flag));
  if (!new URL(moduleUrl).pathname.endsWith('.ts') || hasTsx) return [...inherited, ...heap];
  // Resolved lazily: a bundle never gets here, and has no tsx to resolve.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return [...inherited, '--import', tsx, ...heap];
};

/**
 * The environment of a sandboxed process: the parent's, without heap flags or source maps in
 * `NODE_OPTIONS`, naming the task to serve.
 */
export const sandboxEnv = (parent: NodeJS.ProcessEnv, spec: SandboxedTaskSpec): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...parent, [SANDBOX_TASK_ENV]: JSON.stringify(spec) };
  const nodeOptions = withoutHeapFlags(parent.NODE_OPTIONS?.replace(SOURCE_MAPS_FLAG, '$1'));
  if (nodeOptions === undefined) delete env.NODE_OPTIONS;
  else env.NODE_OPTIONS = nodeOptions;
  return env;
};

/** What V8 prints when a heap cap is hit, however the allocation was shaped (Node's OOM handler). */
const HEAP_EXHAUSTED = /JavaScript heap out of memory|Fatal process out of memory/;

/** Whether a process's last words (its stderr) say it ran out of heap. */
export const diedOfHeapExhaustion = (stderr: string): boolean => HEAP_EXHAUSTED.test(stderr);

/** The line of a dead process's stderr that names its error, for a start failure's message. */
export const errorLine = (stderr: string): string | undefined => {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return lines.find((line) => /^(?:\w+:\s*)?[\w.]*Error\b/.test(line)) ?? lines.at(-1);
};

/**
 * Resident memory of a process, in MiB, from `/proc/<pid>/status` (Linux, as in Lambda); undefined where
 * there is no such file (another OS) or the process is gone. It counts everything the process holds in
 * RAM: the V8 heap, ArrayBuffers, WebAssembly memories and native allocations alike.
 */
export const residentMb = (pid: number): number | undefined => {
  try {
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
};
