import { readFileSync } from 'node:fs';
import { DEFAULT_LIMITS, type Limits } from '../../lambdas/shared/documents/limits';
import { SANDBOX_START_TIMEOUT_MS } from '../../lambdas/shared/sandbox/sandboxed-task';

/**
 * What a step facing hostile input runs under and is held to: its parse budget with a 256 MiB heap cap
 * (room to load pdf.js and sharp; a thread that cannot even start fails untyped), and the worst case
 * the containment promises: a thread starts within its start timeout, the job ends within its budget.
 */
export const hostileBudget = (
  budgetMs: number,
): { readonly limits: Limits; readonly worstCaseMs: number } => ({
  limits: { ...DEFAULT_LIMITS, parseTimeoutMs: budgetMs, parseMemoryMb: 256 },
  worstCaseMs: SANDBOX_START_TIMEOUT_MS + budgetMs,
});

/** A step's result or its error, and how long it took to give either. */
export interface TimedOutcome<T> {
  readonly result: T | undefined;
  readonly error: Error | undefined;
  readonly elapsedMs: number;
}

/** Runs a step and times it to its answer, whether a result or an error: hostile input must end, typed, in time. */
export const timedOutcome = async <T>(step: () => Promise<T>): Promise<TimedOutcome<T>> => {
  const started = performance.now();
  const outcome = await step().then(
    (result) => ({ result, error: undefined }),
    (error: unknown) => ({ result: undefined, error: error as Error }),
  );
  return { ...outcome, elapsedMs: performance.now() - started };
};

/** The bytes of a file of sample-docs/. */
export const sampleDocument = (name: string): Buffer =>
  readFileSync(new URL(`../../sample-docs/${name}`, import.meta.url));
