import type { Command } from '../context';
import { costOptions, renderCostSummary, summarizeCosts } from '../document-costs';
import { EXIT } from '../errors';

/** `docflow cost [--since T] [--until T] [--json]` */
export const cost: Command = async ({ values }, context) => {
  const options = costOptions(values, context.now());
  const { terminal } = context;
  const target = await context.target();
  const summary = await summarizeCosts(target.documents, {
    ...(options.uploadedAfter === undefined ? {} : { uploadedAfter: options.uploadedAfter }),
    ...(options.uploadedBefore === undefined ? {} : { uploadedBefore: options.uploadedBefore }),
  });
  if (options.json) {
    terminal.out(JSON.stringify(summary, null, 2));
    return EXIT.ok;
  }
  if (summary.documents === 0) {
    terminal.info('No documents were uploaded in that range.');
    return EXIT.ok;
  }
  for (const line of renderCostSummary(summary, terminal.columns)) terminal.out(line);
  if (summary.costedDocuments < summary.documents) {
    terminal.info(
      `${summary.documents - summary.costedDocuments} document(s) have no cost yet: a run is priced once it has ended.`,
    );
  }
  return EXIT.ok;
};
