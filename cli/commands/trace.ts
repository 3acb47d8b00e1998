import { traceOptions } from '../command-options';
import type { Command } from '../context';
import { CliError, EXIT } from '../errors';
import { namedDocument } from '../show-document';
import { gatherTraceReport, noTraceMessage, renderTraceReport, traceReportJson } from '../trace-report';

/** `docflow trace <id | key> [--all | --trace <trace id>] [--since <time>] [--json]` */
export const trace: Command = async ({ values, positionals }, context) => {
  const [idOrKey = ''] = positionals;
  const options = traceOptions(values, context.now());
  const { terminal } = context;
  const target = await context.target();
  const document = await namedDocument(target, idOrKey, context.cwd);
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
