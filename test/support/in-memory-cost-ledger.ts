import type { CostLedger, LedgerOutcome } from '../../lambdas/record-cost/record-run-cost';
import {
  COST_PARTS,
  type DocumentCost,
  picodollarsOf,
  type RunCost,
  usdOf,
} from '../../lambdas/shared/documents/document-cost';

/**
 * {@link CostLedger} in memory, with the DynamoDB adapter's rules: only documents that exist are
 * written, a run key is added once, and the document's parts and total are the sums of its runs'.
 */
export class InMemoryCostLedger implements CostLedger {
  readonly costs = new Map<string, DocumentCost>();
  readonly documents = new Set<string>();

  constructor(documentIds: readonly string[] = []) {
    for (const id of documentIds) this.documents.add(id);
  }

  async addRun(documentId: string, runKey: string, run: RunCost): Promise<LedgerOutcome> {
    if (!this.documents.has(documentId)) return 'no-document';
    const current = this.costs.get(documentId);
    if (current?.runs[runKey] !== undefined) return 'duplicate';
    const add = (a: number, b: number): number => usdOf(picodollarsOf(a) + picodollarsOf(b));
    this.costs.set(documentId, {
      currency: 'USD',
      totalUsd: add(current?.totalUsd ?? 0, run.totalUsd),
      parts: Object.fromEntries(
        COST_PARTS.map((part) => [part, add(current?.parts[part] ?? 0, run.parts[part])]),
      ) as DocumentCost['parts'],
      runs: { ...current?.runs, [runKey]: structuredClone(run) },
    });
    return 'recorded';
  }
}
