import { randomUUID } from 'node:crypto';
import { BackgroundWork } from '../background-work';
import { compileEventPattern, type EventPattern } from './event-pattern';
import { type TargetInputSpec, targetInput, validateTargetInput } from './target-input';

/** The name of the account's default event bus: the one AWS services send their events to. */
export const DEFAULT_EVENT_BUS = 'default';

/** A target's `RetryPolicy`; EventBridge's defaults are 185 attempts within 24 hours. */
export interface RetryPolicy {
  readonly maximumRetryAttempts: number;
  readonly maximumEventAgeSeconds: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maximumRetryAttempts: 185,
  maximumEventAgeSeconds: 86_400,
};

/** One target of a rule: a Lambda function or an SQS queue, by ARN. */
export interface RuleTargetSpec extends TargetInputSpec {
  readonly id: string;
  readonly arn: string;
  readonly retryPolicy: RetryPolicy;
  /** The SQS queue that receives the events this target could not be given. */
  readonly deadLetterQueueArn?: string;
}

/** A rule as the deployer registers it (`AWS::Events::Rule`). */
export interface EventRuleSpec {
  readonly name: string;
  readonly arn: string;
  /** @default {@link DEFAULT_EVENT_BUS} */
  readonly eventBusName?: string;
  /** The `EventPattern`, as an object or its JSON text. */
  readonly eventPattern: unknown;
  /** `State`: only ENABLED rules match. */
  readonly enabled: boolean;
  readonly targets: readonly RuleTargetSpec[];
}

/** An event as EventBridge delivers it. */
export interface EventEnvelope {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  /** ISO 8601 to the second, as EventBridge writes it (`2019-02-26T19:42:21Z`). */
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: unknown;
}

/** What a service or `PutEvents` puts on a bus. */
export interface EventEntry {
  readonly source: string;
  readonly detailType: string;
  readonly detail: unknown;
  readonly resources?: readonly string[];
  /** @default now */
  readonly time?: Date;
  /** @default {@link DEFAULT_EVENT_BUS} */
  readonly eventBusName?: string;
}

/**
 * A target refused the event. `code` is what the dead-letter message's `ERROR_CODE` says
 * (`RESOURCE_NOT_FOUND`, `THROTTLING`, `SDK_CLIENT_ERROR`); `retryable: false` sends the event to the
 * dead-letter queue at once, as EventBridge does for a target that does not exist.
 */
export class TargetDeliveryError extends Error {
  override readonly name = 'TargetDeliveryError';
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** How the bus reaches its targets. */
export interface EventTargetPorts {
  /**
   * Hands the payload to Lambda as an asynchronous (`Event`) invocation; resolves once Lambda has
   * accepted it. What the function then does is Lambda's business (its own retries), not the bus's.
   */
  invokeLambdaAsync(functionArn: string, payload: string): Promise<void>;
  /** Sends one message to an SQS queue named by its ARN (queue targets and dead-letter queues). */
  sendToQueue(queueArn: string, body: string, attributes?: Readonly<Record<string, string>>): Promise<void>;
}

export interface LocalEventBusOptions {
  readonly region: string;
  readonly accountId: string;
  readonly ports: EventTargetPorts;
  /**
   * The first retry's delay ceiling; each retry doubles it (full jitter), up to `maxRetryDelayMs`.
   * EventBridge documents only "exponential back off and jitter". @default 1000
   */
  readonly retryBaseDelayMs?: number;
  /** @default 60000 */
  readonly maxRetryDelayMs?: number;
  readonly logger?: Pick<Console, 'warn'>;
}

interface CompiledRule {
  readonly spec: EventRuleSpec;
  readonly busName: string;
  readonly pattern: EventPattern;
}

const isoSeconds = (date: Date): string => `${date.toISOString().slice(0, 19)}Z`;

/** Lambda's and SQS's error names, as a dead-letter message's `ERROR_CODE`. */
const deliveryErrorOf = (error: unknown): TargetDeliveryError => {
  if (error instanceof TargetDeliveryError) return error;
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  if (/ResourceNotFound|NonExistentQueue|QueueDoesNotExist/.test(name))
    return new TargetDeliveryError('RESOURCE_NOT_FOUND', message, false);
  if (/TooManyRequests|Throttl/.test(name)) return new TargetDeliveryError('THROTTLING', message, true);
  return new TargetDeliveryError('SDK_CLIENT_ERROR', message, true);
};

/**
 * A local EventBridge: the rules of the deployed template, matched against every event put on a bus,
 * each match delivered to the rule's targets asynchronously. A delivery that fails is retried with
 * exponential backoff and jitter within the target's `RetryPolicy`; an event that exhausts it, or that
 * cannot be delivered at all (the target does not exist), goes to the target's dead-letter queue with
 * EventBridge's message attributes, or is dropped with a warning when the target has none.
 * Deliveries waiting for a retry are lost when the bus stops, as events in flight are when a process dies.
 */
export class LocalEventBus {
  readonly #options: LocalEventBusOptions;
  readonly #rules = new Map<string, CompiledRule>();
  readonly #work = new BackgroundWork();

  constructor(options: LocalEventBusOptions) {
    this.#options = options;
  }

  /**
   * Adds a rule, or replaces the one of that name on its bus. Throws `InvalidEventPatternError` or
   * `InvalidTargetInputError` for what EventBridge would refuse.
   */
  putRule(spec: EventRuleSpec): void {
    const pattern = compileEventPattern(spec.eventPattern);
    for (const target of spec.targets) validateTargetInput(target);
    const busName = spec.eventBusName ?? DEFAULT_EVENT_BUS;
    this.#rules.set(`${busName}/${spec.name}`, { spec, busName, pattern });
  }

  get rules(): readonly EventRuleSpec[] {
    return [...this.#rules.values()].map((rule) => rule.spec);
  }

  /** Builds the event EventBridge would deliver for an entry. */
  envelope(entry: EventEntry): EventEnvelope {
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.detailType,
      source: entry.source,
      account: this.#options.accountId,
      time: isoSeconds(entry.time ?? new Date()),
      region: this.#options.region,
      resources: [...(entry.resources ?? [])],
      detail: entry.detail,
    };
  }

  /**
   * Puts an event on its bus: every enabled rule of the bus whose pattern matches sends it to each of
   * its targets, without waiting for them. Returns the event and the names of the rules that matched.
   */
  put(entry: EventEntry): { readonly event: EventEnvelope; readonly matchedRules: readonly string[] } {
    const event = this.envelope(entry);
    const busName = entry.eventBusName ?? DEFAULT_EVENT_BUS;
    const matchedRules: string[] = [];
    if (this.#work.stopped) return { event, matchedRules };
    const ingestionTime = new Date().toISOString();
    for (const rule of this.#rules.values()) {
      if (rule.busName !== busName || !rule.spec.enabled || !rule.pattern.matches(event)) continue;
      matchedRules.push(rule.spec.name);
      for (const target of rule.spec.targets) {
        const context = { ruleArn: rule.spec.arn, ruleName: rule.spec.name, ingestionTime };
        this.#work.track(
          this.#deliver(rule.spec, target, event, targetInput(event, target, context)),
          (error) =>
            this.#options.logger?.warn(`local EventBridge: a delivery failed unexpectedly: ${String(error)}`),
        );
      }
    }
    return { event, matchedRules };
  }

  /** Resolves when no delivery is in flight or waiting for a retry (tests, orderly stops). */
  idle(): Promise<void> {
    return this.#work.idle();
  }

  /** Stops matching; deliveries waiting for a retry are dropped, those in flight finish. */
  stop(): Promise<void> {
    return this.#work.stop();
  }

  async #deliver(
    rule: EventRuleSpec,
    target: RuleTargetSpec,
    event: EventEnvelope,
    payload: string,
  ): Promise<void> {
    const firstAttempt = Date.now();
    const { maximumRetryAttempts, maximumEventAgeSeconds } = target.retryPolicy;
    for (let retries = 0; ; retries += 1) {
      let failure: TargetDeliveryError;
      try {
        await this.#send(target, payload);
        return;
      } catch (error) {
        failure = deliveryErrorOf(error);
      }
      const delay = this.#retryDelay(retries);
      const exhausted = !failure.retryable
        ? undefined
        : retries >= maximumRetryAttempts
          ? 'MaximumRetryAttempts'
          : Date.now() + delay - firstAttempt > maximumEventAgeSeconds * 1000
            ? 'MaximumEventAgeInSeconds'
            : 'none';
      if (exhausted === 'none' && !this.#work.stopped) {
        if (!(await this.#work.wait(delay))) return;
        continue;
      }
      await this.#deadLetter(rule, target, event, failure, retries, exhausted);
      return;
    }
  }

  async #send(target: RuleTargetSpec, payload: string): Promise<void> {
    const service = target.arn.split(':')[2];
    if (service === 'lambda') return this.#options.ports.invokeLambdaAsync(target.arn, payload);
    if (service === 'sqs') return this.#options.ports.sendToQueue(target.arn, payload);
    throw new TargetDeliveryError(
      'SDK_CLIENT_ERROR',
      `the local EventBridge delivers to Lambda functions and SQS queues only, not ${target.arn}`,
      false,
    );
  }

  #retryDelay(retries: number): number {
    const base = this.#options.retryBaseDelayMs ?? 1000;
    const ceiling = Math.min(base * 2 ** retries, this.#options.maxRetryDelayMs ?? 60_000);
    return Math.random() * ceiling;
  }

  async #deadLetter(
    rule: EventRuleSpec,
    target: RuleTargetSpec,
    event: EventEnvelope,
    failure: TargetDeliveryError,
    retries: number,
    exhausted: string | undefined,
  ): Promise<void> {
    const dropped = `local EventBridge: rule ${rule.name} could not deliver event ${event.id} to ${target.arn} (${failure.code}: ${failure.message})`;
    if (target.deadLetterQueueArn === undefined) {
      this.#options.logger?.warn(`${dropped}; it has no dead-letter queue, the event is dropped`);
      return;
    }
    try {
      await this.#options.ports.sendToQueue(target.deadLetterQueueArn, JSON.stringify(event), {
        RULE_ARN: rule.arn,
        TARGET_ARN: target.arn,
        ERROR_CODE: failure.code,
        ERROR_MESSAGE: failure.message.slice(0, 1024),
        RETRY_ATTEMPTS: String(retries),
        ...(exhausted === undefined ? {} : { EXHAUSTED_RETRY_CONDITION: exhausted }),
      });
    } catch (error) {
      this.#options.logger?.warn(`${dropped}; its dead-letter queue refused it too: ${String(error)}`);
    }
  }
}
