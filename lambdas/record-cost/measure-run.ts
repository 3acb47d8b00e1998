import type { HistoryEvent } from '@aws-sdk/client-sfn';
import {
  type AttemptFacts,
  INGEST_REQUESTS,
  MODEL,
  type ModelledInvocation,
  type ModelledRequests,
  STATE_REQUESTS,
} from './request-model';

/** What the cost model needs of a function: GetFunctionConfiguration's MemorySize, Architectures, EphemeralStorage. */
export interface FunctionConfig {
  readonly memoryMb: number;
  readonly architecture: 'arm64' | 'x86_64';
  readonly ephemeralStorageMb: number;
}

/** One Lambda invocation of a run, with what prices it. */
export interface Invocation {
  /** The function's name or ARN, as the history (or the deployment) names it. */
  readonly function: string;
  /** Billed duration: the observed or modelled duration rounded up to 1 ms, at least 1 ms. */
  readonly billedMs: number;
  readonly modelled: boolean;
  readonly config: FunctionConfig;
}

/** The counts of one run, before pricing. */
export interface MeasuredRun {
  readonly stateTransitions: number;
  readonly retries: number;
  readonly invocations: readonly Invocation[];
  readonly s3Tier1Requests: number;
  readonly s3Tier2Requests: number;
  readonly dynamodbWriteUnits: number;
  readonly dynamodbReadUnits: number;
  readonly sqsRequests: number;
  readonly snsPublishes: number;
  readonly detectDocumentTextPages: number;
  readonly asyncTextPages: number;
}

export interface MeasureOptions {
  /** The configuration of each function `functionsOf` named, and of the two below. */
  readonly configOf: (functionName: string) => FunctionConfig;
  /** The starter, whose invocation is counted when {@link startedByStarter}. */
  readonly starterFunction: string;
  /** The textract-callback function, counted once per asynchronous job that called back. */
  readonly textractCallbackFunction: string;
  /** Whether the run came through the ingest queue and the starter (not a redrive). */
  readonly startedByStarter: boolean;
}

/** The events of one run: the execution's own (redriveCount 0) or its n-th redrive's. */
export const runEvents = (events: readonly HistoryEvent[], redriveCount: number): HistoryEvent[] => {
  const redrives = events.flatMap((event, index) => (event.type === 'ExecutionRedriven' ? [index] : []));
  if (redriveCount === 0) return events.slice(0, redrives[0] ?? events.length);
  const byCount = redrives.find(
    (index) => events[index]?.executionRedrivenEventDetails?.redriveCount === redriveCount,
  );
  const start = byCount ?? redrives[redriveCount - 1];
  if (start === undefined) return [];
  const next = redrives.find((index) => index > start);
  return events.slice(start, next ?? events.length);
};

const STATE_ENTERED = /^(Task|Pass|Choice|Wait|Succeed|Fail|Parallel|Map)StateEntered$/;
const SCHEDULED = new Set(['LambdaFunctionScheduled', 'TaskScheduled']);
const STARTED = new Set(['LambdaFunctionStarted', 'TaskStarted']);
/** The events that end an attempt (a start failure leaves it not started). */
const ENDED = new Set([
  'LambdaFunctionSucceeded',
  'LambdaFunctionFailed',
  'LambdaFunctionTimedOut',
  'TaskSucceeded',
  'TaskFailed',
  'TaskTimedOut',
]);
/** How far back a chain of previousEventId links is followed before giving up (a broken history). */
const MAX_CHAIN = 10_000;

const parseJson = (text: string | undefined): unknown => {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** A Lambda function error's Cause: the function's JSON error envelope (errorType, errorMessage). */
const isFunctionErrorCause = (cause: string | undefined): boolean => {
  const parsed = parseJson(cause);
  return typeof parsed === 'object' && parsed !== null && 'errorMessage' in parsed;
};

const timeOf = (event: HistoryEvent | undefined): number | undefined => event?.timestamp?.getTime();

/** Billed milliseconds: rounded up to the millisecond, at least one. */
export const billedMilliseconds = (ms: number): number => Math.max(1, Math.ceil(ms));

interface Attempt {
  readonly scheduled: HistoryEvent;
  started?: HistoryEvent;
  submitted?: HistoryEvent;
  ended?: HistoryEvent;
}

/** The function a scheduled event invokes: a Lambda task's resource, or a lambda:invoke task's FunctionName. */
const functionOfScheduled = (event: HistoryEvent): string | undefined => {
  if (event.type === 'LambdaFunctionScheduled') return event.lambdaFunctionScheduledEventDetails?.resource;
  const details = event.taskScheduledEventDetails;
  if (details?.resourceType !== 'lambda') return undefined;
  const name = (parseJson(details.parameters) as { FunctionName?: unknown } | undefined)?.FunctionName;
  return typeof name === 'string' ? name : undefined;
};

/** Every function the run invokes in its states (configuration to fetch before {@link measureRun}). */
export const functionsOf = (events: readonly HistoryEvent[]): string[] =>
  [
    ...new Set(
      events.flatMap((event) => (SCHEDULED.has(event.type ?? '') ? [functionOfScheduled(event)] : [])),
    ),
  ].filter((name): name is string => name !== undefined);

const inputOfScheduled = (event: HistoryEvent): unknown =>
  event.type === 'LambdaFunctionScheduled'
    ? parseJson(event.lambdaFunctionScheduledEventDetails?.input)
    : parseJson(event.taskScheduledEventDetails?.parameters);

/** The ended attempt's facts, as the request model reads them. */
const factsOf = (state: string, attempt: Attempt, taskToken: boolean): AttemptFacts => {
  const { scheduled, started, ended } = attempt;
  const input = inputOfScheduled(scheduled);
  const base = { state, input, endedByCallback: false };
  if (!started) return { ...base, outcome: 'not-started' };
  switch (ended?.type) {
    case 'LambdaFunctionSucceeded':
      return {
        ...base,
        outcome: 'succeeded',
        output: parseJson(ended.lambdaFunctionSucceededEventDetails?.output),
      };
    case 'TaskSucceeded':
      return {
        ...base,
        outcome: 'succeeded',
        output: parseJson(ended.taskSucceededEventDetails?.output),
        endedByCallback: taskToken,
      };
    case 'LambdaFunctionFailed': {
      const error = ended.lambdaFunctionFailedEventDetails?.error;
      return { ...base, outcome: 'failed', ...(error === undefined ? {} : { error }) };
    }
    case 'TaskFailed': {
      const { error, cause } = ended.taskFailedEventDetails ?? {};
      // A task-token task fails by its function's error (a JSON error envelope) or by SendTaskFailure.
      const byCallback = taskToken && (attempt.submitted !== undefined || !isFunctionErrorCause(cause));
      return {
        ...base,
        outcome: 'failed',
        ...(error === undefined ? {} : { error }),
        endedByCallback: byCallback,
      };
    }
    case 'LambdaFunctionTimedOut':
    case 'TaskTimedOut':
      return { ...base, outcome: 'timed-out' };
    default:
      return { ...base, outcome: 'unfinished' };
  }
};

const isTaskToken = (scheduled: HistoryEvent): boolean =>
  scheduled.taskScheduledEventDetails?.resource?.endsWith('.waitForTaskToken') ?? false;

/**
 * The invocation an attempt made, if its function ran, and how long it ran: a Lambda task from
 * LambdaFunctionStarted to its end; a lambda:invoke task from TaskStarted to TaskSubmitted (the
 * invocation's response), or to TaskFailed when the function itself failed. A task-token task without
 * TaskSubmitted gets the modelled duration. An attempt cut off by the end of the run runs to that end.
 */
const invocationOf = (
  attempt: Attempt,
  facts: AttemptFacts,
  runEnd: number,
): { function: string; ms: number; modelled: boolean } | undefined => {
  const name = functionOfScheduled(attempt.scheduled);
  const started = timeOf(attempt.started);
  if (name === undefined || started === undefined) return undefined;
  if (attempt.scheduled.type === 'LambdaFunctionScheduled') {
    return { function: name, ms: (timeOf(attempt.ended) ?? runEnd) - started, modelled: false };
  }
  const submitted = timeOf(attempt.submitted);
  if (submitted !== undefined) return { function: name, ms: submitted - started, modelled: false };
  const ended = timeOf(attempt.ended);
  if (!isTaskToken(attempt.scheduled))
    return { function: name, ms: (ended ?? runEnd) - started, modelled: false };
  if (ended !== undefined && facts.outcome !== 'succeeded' && !facts.endedByCallback) {
    return { function: name, ms: ended - started, modelled: false };
  }
  return { function: name, ms: MODEL.taskTokenInvocationMs, modelled: true };
};

class Tally {
  s3Tier1 = 0;
  s3Tier2 = 0;
  writeUnits = 0;
  readUnits = 0;
  sqs = 0;
  sns = 0;
  syncPages = 0;
  asyncPages = 0;
  readonly modelled: ModelledInvocation[] = [];

  add(requests: ModelledRequests): void {
    this.s3Tier1 += requests.s3Tier1 ?? 0;
    this.s3Tier2 += requests.s3Tier2 ?? 0;
    this.writeUnits += requests.dynamodbWriteUnits ?? 0;
    this.readUnits += requests.dynamodbReadUnits ?? 0;
    this.sqs += requests.sqsRequests ?? 0;
    this.sns += requests.snsPublishes ?? 0;
    this.syncPages += requests.detectDocumentTextPages ?? 0;
    this.asyncPages += requests.asyncTextPages ?? 0;
    this.modelled.push(...(requests.invocations ?? []));
  }
}

/**
 * Counts what one run used, from its history events (`runEvents`, read with execution data):
 * - **State transitions**, as Step Functions bills Standard workflows: one per state entered (Task,
 *   Pass, Choice, Wait, Succeed, Fail, Parallel, Map, and every state inside a Parallel branch), plus
 *   one per retry (each attempt of a Task after its first in the same entry). A redriven Task's first
 *   attempt, whose state was entered before the redrive, counts too.
 * - **Lambda invocations**: every attempt whose function started, with its billed duration from the
 *   history's timestamps, plus the modelled ones (the starter, the Textract callback).
 * - **Requests and pages**, per attempt, from {@link STATE_REQUESTS} and {@link INGEST_REQUESTS}.
 *
 * `allEvents` is the whole history: attempts of a redrive can link back to a state entered before it.
 */
export const measureRun = (
  run: readonly HistoryEvent[],
  allEvents: readonly HistoryEvent[],
  options: MeasureOptions,
): MeasuredRun => {
  const byId = new Map(allEvents.map((event) => [event.id, event]));
  for (const event of run) byId.set(event.id, event);
  const inRun = new Set(run.map((event) => event.id));

  /** Follows previousEventId from `event` to the first event that `stop` accepts. */
  const walkBack = (
    event: HistoryEvent,
    stop: (candidate: HistoryEvent) => boolean,
  ): HistoryEvent | undefined => {
    let current = event.previousEventId === undefined ? undefined : byId.get(event.previousEventId);
    for (let steps = 0; current && steps < MAX_CHAIN; steps++) {
      if (stop(current)) return current;
      current = current.previousEventId === undefined ? undefined : byId.get(current.previousEventId);
    }
    return undefined;
  };
  const isEntered = (event: HistoryEvent): boolean => STATE_ENTERED.test(event.type ?? '');
  const isScheduled = (event: HistoryEvent): boolean => SCHEDULED.has(event.type ?? '');

  let stateTransitions = run.filter(isEntered).length;
  const attempts = new Map<number, Attempt>();
  const attemptsByEntry = new Map<number, { state: string; attempts: Attempt[] }>();
  for (const event of run) {
    if (isScheduled(event)) {
      const attempt: Attempt = { scheduled: event };
      attempts.set(event.id ?? 0, attempt);
      const entered = walkBack(event, isEntered);
      const entryId = entered?.id ?? -(event.id ?? 0);
      const entry = attemptsByEntry.get(entryId) ?? {
        state: entered?.stateEnteredEventDetails?.name ?? '',
        attempts: [],
      };
      entry.attempts.push(attempt);
      attemptsByEntry.set(entryId, entry);
      continue;
    }
    const type = event.type ?? '';
    if (!STARTED.has(type) && !ENDED.has(type) && type !== 'TaskSubmitted') continue;
    const scheduled = walkBack(event, (candidate) => isScheduled(candidate) || isEntered(candidate));
    const attempt = scheduled && isScheduled(scheduled) ? attempts.get(scheduled.id ?? 0) : undefined;
    if (!attempt) continue;
    if (STARTED.has(type)) attempt.started = event;
    else if (type === 'TaskSubmitted') attempt.submitted = event;
    else attempt.ended ??= event;
  }

  let retries = 0;
  const runEnd = timeOf(run.at(-1)) ?? 0;
  const tally = new Tally();
  const invocations: Invocation[] = [];
  for (const [entryId, entry] of attemptsByEntry) {
    // An attempt is a transition unless it is the first of a state entered in this same run.
    const enteredInRun = entryId > 0 && inRun.has(entryId);
    const extra = entry.attempts.length - (enteredInRun ? 1 : 0);
    retries += Math.max(0, entry.attempts.length - 1);
    stateTransitions += Math.max(0, extra);
    for (const attempt of entry.attempts) {
      const taskToken = isTaskToken(attempt.scheduled);
      const facts = factsOf(entry.state, attempt, taskToken);
      tally.add(STATE_REQUESTS[entry.state]?.(facts) ?? {});
      const invocation = invocationOf(attempt, facts, runEnd);
      if (invocation) {
        invocations.push({
          function: invocation.function,
          billedMs: billedMilliseconds(invocation.ms),
          modelled: invocation.modelled,
          config: options.configOf(invocation.function),
        });
      }
    }
  }
  if (options.startedByStarter) tally.add(INGEST_REQUESTS);
  for (const modelled of tally.modelled) {
    const name = modelled.role === 'starter' ? options.starterFunction : options.textractCallbackFunction;
    invocations.push({
      function: name,
      billedMs: billedMilliseconds(modelled.durationMs),
      modelled: true,
      config: options.configOf(name),
    });
  }
  return {
    stateTransitions,
    retries,
    invocations,
    s3Tier1Requests: tally.s3Tier1,
    s3Tier2Requests: tally.s3Tier2,
    dynamodbWriteUnits: tally.writeUnits,
    dynamodbReadUnits: tally.readUnits,
    sqsRequests: tally.sqs,
    snsPublishes: tally.sns,
    detectDocumentTextPages: tally.syncPages,
    asyncTextPages: tally.asyncPages,
  };
};
