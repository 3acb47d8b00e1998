import type { PipelineClient } from './pipeline-client';
import { clockTicksPerSecond, cpuTicksByRole, type ProcessRole, sampleTree, treeStats } from './proc';

/**
 * Idle CPU measured honestly: not while the cloud still does the burst's deferred work (record-cost runs
 * on EventBridge after each execution ends; a parked environment runs a full GC 2 s after its last
 * invocation, the query API's own included), but over a window long enough that periodic work shows.
 */

/**
 * After the last cost is recorded: longer than the 2 s a parked environment waits before its full GC
 * (decision 51), counted from the bench's last API call, which parks the API's environment too.
 */
const SETTLE_MS = 3_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface Settled {
  /** From the call to the start of the idle window, ms. */
  readonly waitedMs: number;
  /** Documents record-cost had not priced by the deadline (0 unless something failed). */
  readonly unpriced: number;
}

/** Waits until every document of `keys` has its cost recorded, then lets parked environments settle. */
export const waitUntilSettled = async (
  client: PipelineClient,
  keys: readonly string[],
  since: number,
): Promise<Settled> => {
  const from = Date.now();
  const unpriced = await client.waitForCosts(keys, { since, timeoutMs: 120_000, pollMs: 1_000 });
  await sleep(SETTLE_MS);
  return { waitedMs: Date.now() - from, unpriced: unpriced.length };
};

export interface IdleCpu {
  /** Σ CPU of the tree over the window, % of one core. */
  readonly percent: number;
  /** The same split by process role, % of one core. */
  readonly byRole: Record<ProcessRole, number>;
  readonly processes: number;
  readonly hwmKiB: number;
}

/** CPU of the process tree of `root` over `seconds`, in total and by role. */
export const measureIdleCpu = async (root: number, seconds: number): Promise<IdleCpu> => {
  const toPercent = (ticks: number): number => (ticks / clockTicksPerSecond() / seconds) * 100;
  const before = sampleTree(root);
  const stats = treeStats(root);
  await sleep(seconds * 1_000);
  const after = sampleTree(root);
  const byRole = cpuTicksByRole(root, stats, treeStats(root));
  return {
    percent: toPercent(after.cpuTicks - before.cpuTicks),
    byRole: Object.fromEntries(
      Object.entries(byRole).map(([role, ticks]) => [role, toPercent(ticks)]),
    ) as Record<ProcessRole, number>,
    processes: after.processes,
    hwmKiB: after.hwmKiB,
  };
};
