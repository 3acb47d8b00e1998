import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { QueueActivity } from '../sqs/queue-activity';
import { MAX_REQUEST_BYTES } from './invoke-errors';
import type { InvokeOptions } from './runner';
import { batchFailuresOf, toSqsRecord } from './sqs-records';

/** What the event source needs of the Lambda runner. */
export interface FunctionInvoker {
  invoke(nameOrArn: string, payload: unknown, options?: InvokeOptions): Promise<unknown>;
  /** How many invocations of the function can run at once. */
  concurrencyOf(nameOrArn: string): number;
}

/** An `AWS::Lambda::EventSourceMapping` on an SQS queue. */
export interface SqsEventSourceOptions {
  /** A client with an explicit endpoint and `useQueueUrlAsEndpoint: false` (local queue URLs do not resolve). */
  readonly sqs: SQSClient;
  readonly invoker: FunctionInvoker;
  readonly functionName: string;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly region: string;
  /** Records per invocation, 1–10,000 (over 10 needs a batching window). @default 10 */
  readonly batchSize?: number;
  /** How long to gather records before invoking, 0–300 s. @default 0 */
  readonly maximumBatchingWindowSeconds?: number;
  /** `['ReportBatchItemFailures']` makes the function's `batchItemFailures` count. @default [] */
  readonly functionResponseTypes?: readonly string[];
  /** Concurrent batches, 2–1000; never more than the function can run at once. */
  readonly maxConcurrency?: number;
  /** Long-poll wait of each ReceiveMessage; also bounds how long `stop()` waits for an idle poll. @default 1 */
  readonly waitTimeSeconds?: number;
  /**
   * Hints that a message may have become visible. With it, an idle queue's watcher stops long-polling
   * after a few empty polls and waits for a hint, polling again at least every `IDLE_RECHECK_MS` for
   * what comes without one (a redelivery after a visibility timeout, a delayed message).
   */
  readonly activity?: QueueActivity;
  /** Called after each batch, when its messages have been deleted or left for redelivery. */
  readonly onBatch?: (outcome: BatchOutcome) => void;
  /** Polling and deleting errors (the poller backs off and goes on). @default console.error */
  readonly onError?: (error: Error) => void;
}

/** What became of one batch. */
export interface BatchOutcome {
  readonly messageIds: readonly string[];
  /** Deleted from the queue: the batch, less what failed. */
  readonly deletedMessageIds: readonly string[];
  /** Left in the queue, visible again after its visibility timeout. */
  readonly failedMessageIds: readonly string[];
  /** The invocation's error when the function failed as a whole. */
  readonly error?: Error;
}

const MAX_RECEIVE = 10;
const ERROR_BACKOFF_MS = 1_000;
/** Empty long polls in a row after which a watcher with activity hints waits for one. */
const EMPTY_POLLS_BEFORE_WAITING = 3;
/** The longest a waiting watcher goes without polling. */
export const IDLE_RECHECK_MS = 10_000;

/**
 * Polls one queue for one function as Lambda's SQS event source mapping does: long polls for up to
 * `batchSize` records (gathering for up to `maximumBatchingWindowSeconds`), invokes the function
 * synchronously with the AWS-shaped event, and deletes what succeeded. A failed invocation deletes
 * nothing; with `ReportBatchItemFailures` only the reported messages stay. What stays comes back
 * after the queue's visibility timeout, and the queue's RedrivePolicy moves it to the DLQ after
 * `maxReceiveCount` receives. Batches run concurrently up to `maxConcurrency` and the function's
 * concurrency.
 */
export class SqsEventSource {
  readonly #options: SqsEventSourceOptions;
  readonly #batchSize: number;
  readonly #windowMs: number;
  readonly #waitTimeSeconds: number;
  readonly #reportsItemFailures: boolean;
  #pollers: Promise<void>[] = [];
  #stopping = false;
  #wake = Promise.withResolvers<void>();
  /** The poller long-polling an idle queue for all of them. */
  #watcher: number | undefined;
  /** Empty polls of the watcher since messages last came. */
  #emptyPolls = 0;
  /** Settles when the watcher receives messages: the parked pollers poll again. */
  #activity = Promise.withResolvers<void>();

  constructor(options: SqsEventSourceOptions) {
    this.#options = options;
    this.#batchSize = options.batchSize ?? 10;
    this.#windowMs = (options.maximumBatchingWindowSeconds ?? 0) * 1000;
    this.#waitTimeSeconds = options.waitTimeSeconds ?? 1;
    this.#reportsItemFailures = (options.functionResponseTypes ?? []).includes('ReportBatchItemFailures');
    if (!Number.isSafeInteger(this.#batchSize) || this.#batchSize < 1 || this.#batchSize > 10_000) {
      throw new Error('batch size must be between 1 and 10000');
    }
    if (this.#windowMs < 0 || this.#windowMs > 300_000) {
      throw new Error('maximum batching window must be between 0 and 300 seconds');
    }
    if (this.#batchSize > MAX_RECEIVE && this.#windowMs < 1_000) {
      throw new Error('a batch size over 10 needs a maximum batching window of at least 1 second');
    }
    const { maxConcurrency } = options;
    if (maxConcurrency !== undefined && (!Number.isSafeInteger(maxConcurrency) || maxConcurrency < 2)) {
      throw new Error('maximum concurrency must be an integer of at least 2');
    }
  }

  get running(): boolean {
    return this.#pollers.length > 0;
  }

  /** Starts polling. */
  start(): void {
    if (this.running) throw new Error(`the event source of ${this.#options.functionName} is already running`);
    this.#stopping = false;
    this.#wake = Promise.withResolvers<void>();
    this.#watcher = undefined;
    this.#activity = Promise.withResolvers<void>();
    const concurrency = Math.max(
      1,
      Math.min(
        this.#options.maxConcurrency ?? Number.POSITIVE_INFINITY,
        this.#options.invoker.concurrencyOf(this.#options.functionName),
      ),
    );
    this.#pollers = Array.from({ length: concurrency }, (_, poller) => this.#poll(poller));
  }

  /**
   * Stops polling and waits for the batches in flight to finish (their deletes included). Messages a
   * last long poll brings in after the stop are made visible again at once, not processed.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake.resolve();
    await Promise.all(this.#pollers);
    this.#pollers = [];
  }

  async #poll(poller: number): Promise<void> {
    while (!this.#stopping) {
      const hint = this.#options.activity?.next();
      let messages: Message[];
      let records: SQSRecord[];
      try {
        messages = await this.#receiveBatch(this.#waiting(poller) ? 0 : this.#waitTimeSeconds);
        records = messages.map((message) => toSqsRecord(message, this.#options));
      } catch (error) {
        this.#report(error);
        await Promise.race([
          new Promise((resolve) => setTimeout(resolve, ERROR_BACKOFF_MS)),
          this.#wake.promise,
        ]);
        continue;
      }
      if (messages.length === 0) {
        await this.#idle(poller, hint);
        continue;
      }
      this.#active();
      if (this.#stopping) {
        await this.#release(messages);
        return;
      }
      for (const batch of byPayloadSize(records)) await this.#process(batch);
    }
  }

  /**
   * After an empty receive: the first idle poller goes on long-polling as the queue's watcher, the
   * others wait for it to see messages, so an idle queue costs one request a long poll, not one per
   * poller (Lambda, too, scales its pollers down on an empty queue). With activity hints the watcher
   * itself, after a few empty polls, waits for a hint (or `IDLE_RECHECK_MS`) before polling again.
   */
  async #idle(poller: number, hint: Promise<void> | undefined): Promise<void> {
    this.#watcher ??= poller;
    if (this.#watcher !== poller) {
      await Promise.race([this.#activity.promise, this.#wake.promise]);
      return;
    }
    if (hint === undefined || ++this.#emptyPolls < EMPTY_POLLS_BEFORE_WAITING) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      hint,
      this.#wake.promise,
      new Promise((resolve) => {
        timer = setTimeout(resolve, IDLE_RECHECK_MS).unref();
      }),
    ]);
    clearTimeout(timer);
  }

  /**
   * The watcher of an idle queue polls on a hint or a recheck: a hint comes once a message may be
   * visible, and a recheck looks for what came without one, so a long poll would only keep fauxqs'
   * 20 ms timer running for a second per recheck.
   */
  #waiting(poller: number): boolean {
    return this.#watcher === poller && this.#emptyPolls >= EMPTY_POLLS_BEFORE_WAITING;
  }

  /** Messages came in: every parked poller polls again; the next one to find the queue empty watches it. */
  #active(): void {
    this.#watcher = undefined;
    this.#emptyPolls = 0;
    this.#activity.resolve();
    this.#activity = Promise.withResolvers<void>();
  }

  /** One ReceiveMessage, or several until the batch is full or its window has passed. */
  async #receiveBatch(waitTimeSeconds: number): Promise<Message[]> {
    const messages: Message[] = [];
    let windowEnds: number | undefined;
    for (;;) {
      const waitSeconds =
        windowEnds === undefined
          ? waitTimeSeconds
          : Math.min(this.#waitTimeSeconds, Math.max(0, Math.ceil((windowEnds - Date.now()) / 1000)));
      const { Messages = [] } = await this.#options.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.#options.queueUrl,
          MaxNumberOfMessages: Math.min(MAX_RECEIVE, this.#batchSize - messages.length),
          WaitTimeSeconds: waitSeconds,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      messages.push(...Messages);
      if (messages.length === 0 || this.#windowMs === 0) return messages;
      windowEnds ??= Date.now() + this.#windowMs;
      if (messages.length >= this.#batchSize || Date.now() >= windowEnds || this.#stopping) return messages;
    }
  }

  async #process(records: SQSRecord[]): Promise<void> {
    const messageIds = records.map((record) => record.messageId);
    let failed: ReadonlySet<string>;
    let error: Error | undefined;
    try {
      const event: SQSEvent = { Records: records };
      const response = await this.#options.invoker.invoke(this.#options.functionName, event);
      const failures = this.#reportsItemFailures
        ? batchFailuresOf(response, new Set(messageIds))
        : { kind: 'none' as const };
      failed =
        failures.kind === 'some' ? failures.messageIds : new Set(failures.kind === 'all' ? messageIds : []);
    } catch (invokeError) {
      error = asError(invokeError);
      failed = new Set(messageIds);
    }
    const deleted = await this.#delete(records.filter((record) => !failed.has(record.messageId)));
    this.#options.onBatch?.({
      messageIds,
      deletedMessageIds: deleted,
      failedMessageIds: messageIds.filter((id) => failed.has(id)),
      ...(error ? { error } : {}),
    });
  }

  async #delete(records: SQSRecord[]): Promise<string[]> {
    const deleted: string[] = [];
    for (const chunk of chunks(records, MAX_RECEIVE)) {
      try {
        const { Successful = [], Failed = [] } = await this.#options.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: this.#options.queueUrl,
            Entries: chunk.map((record, index) => ({
              Id: String(index),
              ReceiptHandle: record.receiptHandle,
            })),
          }),
        );
        for (const entry of Successful) deleted.push(chunk[Number(entry.Id)]?.messageId ?? '');
        for (const entry of Failed) {
          const messageId = chunk[Number(entry.Id)]?.messageId;
          this.#report(
            new Error(`could not delete message ${messageId}: ${entry.Code} ${entry.Message ?? ''}`),
          );
        }
      } catch (error) {
        this.#report(error);
      }
    }
    return deleted;
  }

  /** Gives messages back to the queue at once (visibility 0), for the next poller to take. */
  async #release(messages: Message[]): Promise<void> {
    for (const chunk of chunks(messages, MAX_RECEIVE)) {
      try {
        await this.#options.sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: this.#options.queueUrl,
            Entries: chunk.map((message, index) => ({
              Id: String(index),
              ReceiptHandle: message.ReceiptHandle,
              VisibilityTimeout: 0,
            })),
          }),
        );
      } catch (error) {
        this.#report(error);
      }
    }
  }

  #report(error: unknown): void {
    const wrapped = asError(error);
    if (this.#options.onError) this.#options.onError(wrapped);
    else console.error(`event source ${this.#options.queueArn} → ${this.#options.functionName}:`, wrapped);
  }
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

const chunks = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, index) =>
    items.slice(index * size, (index + 1) * size),
  );

/** Lambda stops a batch at the 6 MB invoke limit; the rest goes in the next invocation. */
const byPayloadSize = (records: readonly SQSRecord[]): SQSRecord[][] => {
  const envelope = Buffer.byteLength(JSON.stringify({ Records: [] }));
  const batches: SQSRecord[][] = [];
  let current: SQSRecord[] = [];
  let bytes = envelope;
  for (const record of records) {
    const size = Buffer.byteLength(JSON.stringify(record)) + 1;
    if (current.length > 0 && bytes + size > MAX_REQUEST_BYTES) {
      batches.push(current);
      current = [];
      bytes = envelope;
    }
    current.push(record);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
};
