import type { Command } from '../context';
import { EXIT } from '../errors';
import { printable } from '../format';
import { type RedriveReport, redriveFailedDocuments } from '../redrive-documents';

const describe = (report: RedriveReport): string => {
  const what = printable(report.key ?? report.message?.executionArn ?? `message ${report.messageId}`);
  const { action } = report;
  switch (action.kind) {
    case 'redriven':
      return `redriven      ${what}  (${action.executionArn})`;
    case 'restarted':
      return `restarted     ${what}  as ${action.name}`;
    case 'would-run-again':
      return `would rerun   ${what}  (failed ${report.message?.failedAt ?? '?'}: ${printable(report.message?.error?.Error ?? 'unknown error')})`;
    case 'unreadable':
      return `left alone    ${what}: ${action.reason}`;
    case 'error':
      return `not rerun     ${what}: ${printable(action.reason)}`;
  }
};

/** `docflow redrive [--dry-run]` */
export const redrive: Command = async ({ values }, context) => {
  const dryRun = values['dry-run'] === true;
  const { terminal } = context;
  const target = await context.target();
  const reports = await redriveFailedDocuments({
    queue: target.failedDocuments(),
    executions: target.executions,
    redriver: target.redriver,
    dryRun,
    onReport: (report) => terminal.out(describe(report)),
  });
  const done = reports.filter((report) => ['redriven', 'restarted'].includes(report.action.kind)).length;
  const left = reports.length - done;
  if (reports.length === 0) terminal.info('The failed-documents queue is empty.');
  else if (dryRun)
    terminal.info(`${reports.length} message(s) in the queue; nothing was changed (--dry-run).`);
  else terminal.info(`${done} document(s) running again; ${left} message(s) left in the queue.`);
  return dryRun ? EXIT.ok : left === 0 ? EXIT.ok : EXIT.failed;
};
