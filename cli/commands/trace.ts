import { traceOptions } from '../command-options';
import type { Command } from '../context';
import { CliError, EXIT } from '../errors';
import { printable } from '../format';
import { isLocalFile } from '../paths';
import { findDocument } from '../show-document';
import { gatherTraceReport, noTraceMessage, renderTraceReport, traceReportJson } from '../trace-report';

/** `docflow trace <id | key> [--all | --trace <trace id>] [--since <time>] [--json]` */
export const trace: Command = async ({ values, positionals }, context) => {
  const [idOrKey = ''] = positionals;
  const options = traceOptions(values, context.now());
  const { terminal } = context;
  const target = await context.target();
  const document = await findDocument(
    target.documents,
    target.uploader.bucket,
    idOrKey,
    isLocalFile(context.cwd),
  );
  if (!document)
    throw new CliError(`no document with id or key "${printable(idOrKey)}" in ${target.description}`);
  const report = await gatherTraceReport(target.traces, document, options, context.now());
  if (!report.found) throw new CliError(noTraceMessage(report));
  if (options.json) {
    terminal.out(JSON.stringify(traceReportJson(report), null, 2));
    return EXIT.ok;
  }
  const lines = renderTraceReport(report, {
    colors: terminal.colors === true,
    ...(terminal.columns === undefined ? {} : { width: terminal.columns }),
  });
  for (const line of lines) terminal.out(line);
  return EXIT.ok;
};
