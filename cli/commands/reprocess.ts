import type { Command } from '../context';
import { EXIT } from '../errors';
import {
  renderReprocessProgress,
  renderReprocessTable,
  renderSummary,
  reprocessDocuments,
  resultOf,
  selectDocuments,
  summarize,
} from '../reprocess-documents';
import { reprocessOptions } from '../reprocess-options';

/** Requests in flight at once: enough to keep the rate up over a slow link, few enough to stay polite. */
const CONCURRENCY = 4;

/** Redraw the progress bar at most this often. */
const PROGRESS_INTERVAL_MS = 100;

/** `docflow reprocess --status REJECTED|FAILED|PROCESSED|ALL [--reason R] [--prefix P] [--since T] [--rate 10] [--dry-run]` */
export const reprocess: Command = async ({ values }, context) => {
  const options = reprocessOptions(values, context.now());
  const { terminal } = context;
  const target = await context.target();
  const { selected, skipped } = await selectDocuments(target.documents, options.filters);
  const skippedRows = skipped.map(({ document, why }) => ({ document, result: `skipped: ${why}` }));

  if (options.dryRun) {
    const rows = selected.map((document) => ({
      document,
      result: `would run again as generation ${(document.generation ?? 0) + 1}`,
    }));
    for (const line of renderReprocessTable([...rows, ...skippedRows], terminal.columns)) terminal.out(line);
    terminal.info(
      `${selected.length} document(s) would run again, ${skipped.length} skipped; nothing was changed (--dry-run).`,
    );
    return EXIT.ok;
  }

  let lastDrawn = Number.NEGATIVE_INFINITY;
  const results = await reprocessDocuments(target.documents, selected, {
    ratePerSecond: options.ratePerSecond,
    concurrency: CONCURRENCY,
    now: context.now,
    sleep: context.sleep,
    onResult: (result, progress) => {
      if (!terminal.interactive) {
        terminal.info(`${progress.done}/${progress.total} ${resultOf(result)}: ${result.document.key}`);
        return;
      }
      if (progress.done < progress.total && context.now() - lastDrawn < PROGRESS_INTERVAL_MS) return;
      lastDrawn = context.now();
      terminal.status(renderReprocessProgress(progress, terminal.columns ?? 100));
    },
  });
  terminal.clearStatus();

  const rows = [
    ...results.map((result) => ({ document: result.document, result: resultOf(result) })),
    ...skippedRows,
  ];
  for (const line of renderReprocessTable(rows, terminal.columns)) terminal.out(line);
  const summary = summarize(results, skipped);
  terminal.info(`reprocess: ${renderSummary(summary)}.`);
  if (summary.queued > 0)
    terminal.info('Follow them with `docflow ls --status PROCESSING` or `docflow show <id>`.');
  return summary.failed === 0 ? EXIT.ok : EXIT.failed;
};
