import type { RawTrace } from '../console/shared/trace-entities';
import { buildTraceTree, type TraceTree } from '../console/shared/trace-tree';
import type { DocumentDetail } from '../lambdas/api/schemas';
import type { TraceOptions } from './command-options';
import { findDocumentTraces, findStarterTrace, searchWindows } from './document-traces';
import { formatInstant, printable } from './format';
import type { FoundTrace, TimeWindow, TracesReader } from './ports';
import { renderFields } from './table';
import { describeFacts, problemLines, renderWaterfall } from './waterfall';

/** One trace as `docflow trace` shows it. */
export interface ShownTrace {
  readonly trace: RawTrace;
  readonly tree: TraceTree;
  /** The starter's trace that started this one, when X-Ray has it. */
  readonly startedBy?: FoundTrace;
}

export type TraceReport =
  | {
      readonly found: true;
      readonly document: DocumentDetail;
      readonly shown: readonly ShownTrace[];
      /** The document's traces not shown, newest first. */
      readonly others: readonly FoundTrace[];
    }
  | {
      readonly found: false;
      readonly document: DocumentDetail;
      /** Where X-Ray was searched; empty when a `--trace` id was asked for. */
      readonly searched: readonly TimeWindow[];
      readonly traceId?: string;
    };

const withStarter = async (traces: TracesReader, trace: RawTrace): Promise<ShownTrace> => {
  const tree = buildTraceTree(trace);
  let startedBy: FoundTrace | undefined;
  try {
    startedBy =
      tree.roots.length > 0 ? await findStarterTrace(traces, trace.id, tree.start * 1000) : undefined;
  } catch {
    // Who started the run is a hint; the trace itself is what was asked for.
    startedBy = undefined;
  }
  return { trace, tree, ...(startedBy ? { startedBy } : {}) };
};

/**
 * Finds the document's traces by its `documentId` annotation and reads the newest (or every one, or
 * the one asked for) whole, with the starter's trace that started each.
 */
export const gatherTraceReport = async (
  traces: TracesReader,
  document: DocumentDetail,
  options: Pick<TraceOptions, 'all' | 'traceId' | 'since'>,
  now: number,
): Promise<TraceReport> => {
  if (options.traceId !== undefined) {
    const [trace] = await traces.get([options.traceId]);
    if (!trace) return { found: false, document, searched: [], traceId: options.traceId };
    return { found: true, document, shown: [await withStarter(traces, trace)], others: [] };
  }
  const searched = searchWindows(document, now, options.since);
  const found = await findDocumentTraces(traces, document.id, searched);
  const wanted = options.all ? found : found.slice(0, 1);
  const read = await traces.get(wanted.map((trace) => trace.id));
  if (read.length === 0) return { found: false, document, searched };
  const shownIds = new Set(read.map((trace) => trace.id));
  const shown: ShownTrace[] = [];
  for (const trace of read) shown.push(await withStarter(traces, trace));
  return { found: true, document, shown, others: found.filter((trace) => !shownIds.has(trace.id)) };
};

const at = (epochSeconds: number): string => formatInstant(new Date(epochSeconds * 1000).toISOString());

/** The one line that says why there is nothing to show. */
export const noTraceMessage = (report: Extract<TraceReport, { found: false }>): string => {
  const { document } = report;
  const what = `"${printable(document.key)}" (${document.id})`;
  if (report.traceId !== undefined) return `X-Ray has no trace ${report.traceId} (asked for ${what})`;
  const from = report.searched.at(-1)?.from;
  const since = from ? ` since ${formatInstant(from.toISOString())}` : '';
  return (
    `no trace of ${what} in X-Ray${since} yet: a trace shows seconds after its run ends; ` +
    'tracing may be off; --since 7d looks further back'
  );
};

export interface RenderTraceOptions {
  readonly width?: number;
  readonly colors: boolean;
}

/** The human-readable `trace`: the document, then per trace a heading line and the waterfall. */
export const renderTraceReport = (
  report: Extract<TraceReport, { found: true }>,
  options: RenderTraceOptions,
): string[] => {
  const { document } = report;
  const lines = [`${printable(document.key)}  ${document.id}  ${document.status}`];
  for (const { trace, tree, startedBy } of report.shown) {
    lines.push(
      '',
      ...renderFields([
        ['trace', trace.id],
        ['started', at(tree.start)],
        ['summary', describeFacts(tree.facts)],
        [
          'started by',
          startedBy
            ? `${startedBy.id}${startedBy.entryPoint ? ` (${startedBy.entryPoint})` : ''}`
            : undefined,
        ],
        [
          'note',
          trace.unreadable > 0 ? `${trace.unreadable} segment document(s) could not be read` : undefined,
        ],
      ]),
    );
    lines.push('', ...renderWaterfall(tree, options));
    const problems = problemLines(tree);
    if (problems.length > 0) lines.push('', 'Errors and faults:', ...problems.map((line) => `  ${line}`));
  }
  if (report.others.length > 0) {
    lines.push(
      '',
      'Other traces of this document, newest first (--trace <id> shows one, --all every one):',
      ...report.others.map((trace) => `  ${trace.id}  ${formatInstant(trace.startTime.toISOString())}`),
    );
  }
  return lines;
};

/** `trace --json`: the traces as BatchGetTraces returns them, with each segment document parsed. */
export const traceReportJson = (report: Extract<TraceReport, { found: true }>): unknown => ({
  document: { id: report.document.id, key: report.document.key, status: report.document.status },
  traces: report.shown.map(({ trace, tree, startedBy }) => ({
    Id: trace.id,
    Duration: tree.facts.durationMs / 1000,
    Segments: trace.documents.map((document) => ({
      Id: (document as { id?: unknown }).id ?? null,
      Document: document,
    })),
    facts: tree.facts,
    startedBy: startedBy?.id ?? null,
  })),
  otherTraces: report.others.map((trace) => ({ id: trace.id, startTime: trace.startTime.toISOString() })),
});
