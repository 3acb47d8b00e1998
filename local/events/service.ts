import { AwsApiError } from '../http/aws-api-error';
import { awsJsonHandler } from '../http/aws-json-protocol';
import type { RequestHandler } from '../http/proxy';
import { DEFAULT_EVENT_BUS, type LocalEventBus } from './event-bus';
import { compileEventPattern, InvalidEventPatternError } from './event-pattern';

/** `X-Amz-Target` prefix of EventBridge calls (AWS JSON 1.1). */
export const EVENTS_TARGET_PREFIX = 'AWSEvents.';

/** PutEvents takes 1–10 entries of at most 256 KiB together. */
const MAX_ENTRIES = 10;
const MAX_PUT_BYTES = 256 * 1024;

const OPERATIONS = ['PutEvents', 'TestEventPattern', 'ListRules'] as const;
type Operation = (typeof OPERATIONS)[number];

/** A refused call: `name` is the `__type` the SDK maps to its exception class. */
export class EventsApiError extends AwsApiError {}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const busNameOf = (value: unknown): string => {
  if (value === undefined || value === null || value === '') return DEFAULT_EVENT_BUS;
  const text = String(value);
  return text.startsWith('arn:') ? text.slice(text.lastIndexOf('/') + 1) : text;
};

type EntryResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

/**
 * The EventBridge API on the local bus: `PutEvents` (so a rule can be tried with `aws events put-events`),
 * `TestEventPattern` and `ListRules`. Signatures are not checked.
 */
export class LocalEventsApi {
  readonly #bus: LocalEventBus;

  constructor(bus: LocalEventBus) {
    this.#bus = bus;
  }

  call(operation: Operation, input: unknown): unknown {
    const request = isRecord(input) ? input : {};
    switch (operation) {
      case 'PutEvents':
        return this.#putEvents(request);
      case 'TestEventPattern':
        return this.#testEventPattern(request);
      case 'ListRules':
        return this.#listRules(request);
    }
  }

  #putEvents(request: Record<string, unknown>) {
    const entries = request.Entries;
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > MAX_ENTRIES) {
      throw new EventsApiError(
        'ValidationException',
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES}`,
      );
    }
    if (Buffer.byteLength(JSON.stringify(entries)) > MAX_PUT_BYTES) {
      throw new EventsApiError(
        'ValidationException',
        'Total size of the entries in the request is over the limit.',
      );
    }
    const results = entries.map((entry): EntryResult => this.#putEntry(isRecord(entry) ? entry : {}));
    return {
      FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length,
      Entries: results,
    };
  }

  #putEntry(entry: Record<string, unknown>): EntryResult {
    const required = (name: string) => ({
      ErrorCode: 'InvalidArgument',
      ErrorMessage: `Parameter ${name} is not valid. Reason: ${name} is a required argument.`,
    });
    if (typeof entry.Source !== 'string' || entry.Source === '') return required('Source');
    if (typeof entry.DetailType !== 'string' || entry.DetailType === '') return required('DetailType');
    if (typeof entry.Detail !== 'string') return required('Detail');
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      detail = undefined;
    }
    if (!isRecord(detail)) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    const busName = busNameOf(entry.EventBusName);
    if (busName !== DEFAULT_EVENT_BUS) {
      return {
        ErrorCode: 'NotAuthorizedForSourceException',
        ErrorMessage: `Event bus ${busName} does not exist.`,
      };
    }
    const time = typeof entry.Time === 'number' ? new Date(entry.Time * 1000) : undefined;
    const { event } = this.#bus.put({
      source: entry.Source,
      detailType: entry.DetailType,
      detail,
      resources: Array.isArray(entry.Resources) ? entry.Resources.map(String) : [],
      ...(time && !Number.isNaN(time.getTime()) ? { time } : {}),
      eventBusName: busName,
    });
    return { EventId: event.id };
  }

  #testEventPattern(request: Record<string, unknown>) {
    let event: unknown;
    try {
      event = JSON.parse(String(request.Event));
    } catch {
      throw new EventsApiError('InvalidEventPatternException', 'Event is not valid JSON.');
    }
    try {
      return { Result: compileEventPattern(request.EventPattern).matches(event) };
    } catch (error) {
      if (error instanceof InvalidEventPatternError) {
        throw new EventsApiError('InvalidEventPatternException', error.message);
      }
      throw error;
    }
  }

  #listRules(request: Record<string, unknown>) {
    const busName = busNameOf(request.EventBusName);
    const prefix = typeof request.NamePrefix === 'string' ? request.NamePrefix : '';
    const rules = this.#bus.rules
      .filter((rule) => (rule.eventBusName ?? DEFAULT_EVENT_BUS) === busName && rule.name.startsWith(prefix))
      .sort((a, b) => a.name.localeCompare(b.name));
    return {
      Rules: rules.map((rule) => ({
        Name: rule.name,
        Arn: rule.arn,
        EventPattern:
          typeof rule.eventPattern === 'string' ? rule.eventPattern : JSON.stringify(rule.eventPattern),
        State: rule.enabled ? 'ENABLED' : 'DISABLED',
        EventBusName: busName,
      })),
    };
  }
}

/** The EventBridge API as a node:http handler (mount it on the gateway as `events`). */
export const createEventsRequestHandler = (
  api: LocalEventsApi,
  logger?: Pick<Console, 'warn'>,
): RequestHandler =>
  awsJsonHandler<Operation>({
    targetPrefix: EVENTS_TARGET_PREFIX,
    contentType: 'application/x-amz-json-1.1',
    maxBodyBytes: 4 * MAX_PUT_BYTES,
    isOperation: (name): name is Operation => (OPERATIONS as readonly string[]).includes(name),
    call: (operation, input) => api.call(operation, input),
    errorOf: (error, operation) => {
      if (error instanceof EventsApiError) return error;
      if (operation !== undefined) logger?.warn(`local EventBridge: ${operation} failed: ${String(error)}`);
      return { name: 'InternalException', message: 'Internal error', status: 500 };
    },
    tooLarge: () => ({
      name: 'ValidationException',
      message: 'Total size of the entries in the request is over the limit.',
    }),
    unknownOperation: (target) => ({
      name: 'UnknownOperationException',
      message: `The local EventBridge does not support ${String(target)} (it answers ${OPERATIONS.join(', ')})`,
    }),
  });
