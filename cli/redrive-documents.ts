import { z } from 'zod';
import type { ExecutionRedriver, ExecutionsReader, FailedDocumentsQueue } from './ports';
import { endedInFailState } from './timeline';

/** Step Functions' limit on execution names. */
export const EXECUTION_NAME_MAX_LENGTH = 80;

/** Restarts tried per message before giving up on finding a free name. */
const MAX_RESTART_ATTEMPTS = 20;

/** Long enough to handle a batch of ten messages; a dry run gives them back at the end anyway. */
const VISIBILITY_TIMEOUT_SECONDS = 300;

/**
 * The failed-documents message as the SendToDlq state writes it
 * (statemachines/document-pipeline.asl.yaml): the execution's input, the caught error, the execution.
 */
const failedDocumentMessage = z.object({
  input: z.unknown(),
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).loose().optional(),
  executionArn: z.string().regex(/^arn:[^:]+:states:[^:]*:[^:]*:execution:[^:]+:[^:]+$/),
  failedAt: z.string().optional(),
});

export type FailedDocumentMessage = z.output<typeof failedDocumentMessage>;

/** What happened to one message. */
export type RedriveAction =
  | { readonly kind: 'redriven'; readonly executionArn: string }
  | { readonly kind: 'restarted'; readonly executionArn: string; readonly name: string }
  | { readonly kind: 'would-run-again'; readonly executionArn: string }
  | { readonly kind: 'unreadable'; readonly reason: string }
  | { readonly kind: 'error'; readonly executionArn: string; readonly reason: string };

export interface RedriveReport {
  readonly messageId: string;
  readonly message?: FailedDocumentMessage;
  /** The document key, when the input names one. */
  readonly key?: string;
  readonly action: RedriveAction;
}

/** Parses a DLQ message body; undefined with a reason when it is not one of SendToDlq's. */
export const parseFailedDocumentMessage = (
  body: string,
): { message: FailedDocumentMessage } | { reason: string } => {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { reason: 'the body is not JSON' };
  }
  const parsed = failedDocumentMessage.safeParse(json);
  if (!parsed.success) return { reason: 'the body is not a failed-document message (no executionArn)' };
  return { message: parsed.data };
};

/** The execution input as text: SendToDlq stores it as JSON, older senders may have stored a string. */
export const inputText = (input: unknown): string =>
  typeof input === 'string' ? input : JSON.stringify(input ?? {});

const documentKeyOf = (input: unknown): string | undefined => {
  try {
    const value = typeof input === 'string' ? (JSON.parse(input) as unknown) : input;
    const key = (value as { document?: { key?: unknown } } | undefined)?.document?.key;
    return typeof key === 'string' ? key : undefined;
  } catch {
    return undefined;
  }
};

/** `arn:…:execution:<machine>:<name>` → `arn:…:stateMachine:<machine>`, and the name. */
export const splitExecutionArn = (executionArn: string): { stateMachineArn: string; name: string } => {
  const parts = executionArn.split(':');
  const name = parts.at(-1) ?? '';
  const machine = [...parts.slice(0, 5), 'stateMachine', parts[6] ?? ''].join(':');
  return { stateMachineArn: machine, name };
};

/**
 * The name of the n-th restart of an execution: `<name>-r<n>`, within the 80 characters Step Functions
 * allows. A name that already ends in `-r<k>` (a restart that failed again) counts on from there.
 * When too long, characters are cut from the middle: the starter's names end in a hash of the object
 * version, which is the part that keeps names apart.
 */
export const restartName = (originalName: string, attempt: number): string => {
  const previous = /^(.*)-r(\d+)$/.exec(originalName);
  const base = previous?.[1] ?? originalName;
  const suffix = `-r${Number(previous?.[2] ?? 0) + attempt}`;
  const room = EXECUTION_NAME_MAX_LENGTH - suffix.length;
  if (base.length <= room) return `${base}${suffix}`;
  const tail = Math.min(32, room - 1);
  return `${base.slice(0, room - tail)}${base.slice(-tail)}${suffix}`;
};

export interface RedriveOptions {
  readonly queue: FailedDocumentsQueue;
  readonly executions: ExecutionsReader;
  readonly redriver: ExecutionRedriver;
  readonly dryRun: boolean;
  /** Only these messages (by id); the others are left in the queue, untouched. @default every message */
  readonly messageIds?: ReadonlySet<string>;
  readonly onReport?: (report: RedriveReport) => void;
}

/**
 * Runs a stopped execution again (the console runs one this way too):
 * - When the execution ended in a Fail state — what every SendToDlq message describes, since the
 *   workflow catches each error, records it and then fails — RedriveExecution would only re-run that
 *   Fail state (AWS redrives from the unsuccessful step and keeps the successful ones), so a new
 *   execution is started with the original input, named `<name>-r<n>`.
 * - Otherwise (the execution timed out, was aborted, or failed in a Task outside any Catch)
 *   RedriveExecution resumes it where it stopped; if AWS refuses (not redrivable, older than 14 days,
 *   gone), a new execution is started as above.
 */
export const runExecutionAgain = async (
  executionArn: string,
  input: string,
  executions: ExecutionsReader,
  redriver: ExecutionRedriver,
): Promise<Extract<RedriveAction, { kind: 'redriven' | 'restarted' | 'error' }>> => {
  const latest = await executions.latestEvents(executionArn, 3);
  if (latest !== undefined && !endedInFailState(latest)) {
    const outcome = await redriver.redrive(executionArn);
    if (outcome === 'redriven') return { kind: 'redriven', executionArn };
  }
  const { stateMachineArn, name } = splitExecutionArn(executionArn);
  for (let attempt = 1; attempt <= MAX_RESTART_ATTEMPTS; attempt += 1) {
    const candidate = restartName(name, attempt);
    const started = await redriver.start(stateMachineArn, candidate, input);
    if (started.started) return { kind: 'restarted', executionArn: started.executionArn, name: candidate };
  }
  return {
    kind: 'error',
    executionArn,
    reason: `every restart name up to ${restartName(name, MAX_RESTART_ATTEMPTS)} is taken`,
  };
};

/**
 * Reads the failed-documents DLQ to the end and runs each document again, deleting a message only once
 * its document is running again. Messages it could not handle, and every message of a dry run, are
 * made visible again at the end so that the queue is as it was for them.
 */
export const redriveFailedDocuments = async (options: RedriveOptions): Promise<RedriveReport[]> => {
  const { queue, executions, redriver, dryRun } = options;
  const reports: RedriveReport[] = [];
  const seen = new Set<string>();
  const keep: string[] = [];
  try {
    for (;;) {
      const messages = await queue.receive({
        max: 10,
        visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_SECONDS,
        waitSeconds: 1,
      });
      const fresh = messages.filter((message) => !seen.has(message.messageId));
      if (fresh.length === 0) break;
      for (const queued of fresh) {
        seen.add(queued.messageId);
        if (options.messageIds && !options.messageIds.has(queued.messageId)) {
          keep.push(queued.receiptHandle);
          continue;
        }
        const parsed = parseFailedDocumentMessage(queued.body);
        let report: RedriveReport;
        if ('reason' in parsed) {
          report = { messageId: queued.messageId, action: { kind: 'unreadable', reason: parsed.reason } };
        } else {
          const { message } = parsed;
          const key = documentKeyOf(message.input);
          let action: RedriveAction;
          if (dryRun) {
            action = { kind: 'would-run-again', executionArn: message.executionArn };
          } else {
            try {
              action = await runExecutionAgain(
                message.executionArn,
                inputText(message.input),
                executions,
                redriver,
              );
            } catch (error) {
              action = {
                kind: 'error',
                executionArn: message.executionArn,
                reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
              };
            }
          }
          report = { messageId: queued.messageId, message, ...(key ? { key } : {}), action };
        }
        if (report.action.kind === 'redriven' || report.action.kind === 'restarted') {
          await queue.delete(queued.receiptHandle);
        } else {
          keep.push(queued.receiptHandle);
        }
        reports.push(report);
        options.onReport?.(report);
      }
      if (options.messageIds && [...options.messageIds].every((id) => seen.has(id))) break;
    }
  } finally {
    await Promise.all(keep.map((receiptHandle) => queue.release(receiptHandle).catch(() => undefined)));
  }
  return reports;
};
