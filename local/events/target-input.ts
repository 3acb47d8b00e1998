/**
 * What a rule target receives: the whole event, `Input` (constant JSON text), `InputPath` (a part of
 * the event) or `InputTransformer` (`InputPathsMap` + `InputTemplate`), as EventBridge builds it
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html).
 */

/** A target input setting EventBridge would refuse; the message names it. */
export class InvalidTargetInputError extends Error {
  override readonly name = 'InvalidTargetInputError';
}

export interface InputTransformerSpec {
  /** Variable name → JSON path into the event (`$.detail.status`). */
  readonly inputPathsMap: Readonly<Record<string, string>>;
  /** Text with `<variable>` placeholders; JSON or plain text. */
  readonly inputTemplate: string;
}

/** At most one of these; none sends the whole event. */
export interface TargetInputSpec {
  readonly input?: string;
  readonly inputPath?: string;
  readonly inputTransformer?: InputTransformerSpec;
}

/** What the predefined `<aws.events.*>` variables of a template say. */
export interface TransformContext {
  readonly ruleArn: string;
  readonly ruleName: string;
  readonly ingestionTime: string;
}

type Step = string | number;

/**
 * Parses the JSON paths EventBridge takes: `$`, then `.name` (a name may hold `-`, as in
 * `$.detail-type`), `['name']` or `[index]`.
 */
export const parseJsonPath = (path: string): Step[] => {
  if (!path.startsWith('$'))
    throw new InvalidTargetInputError(`"${path}" is not a JSON path (it must start with $)`);
  const steps: Step[] = [];
  let rest = path.slice(1);
  while (rest.length > 0) {
    const dotted = /^\.([^.[\]]+)/.exec(rest);
    const quoted = /^\[\s*'([^']*)'\s*\]/.exec(rest) ?? /^\[\s*"([^"]*)"\s*\]/.exec(rest);
    const indexed = /^\[\s*(\d+)\s*\]/.exec(rest);
    if (dotted?.[1] !== undefined) {
      steps.push(dotted[1]);
      rest = rest.slice(dotted[0].length);
    } else if (quoted?.[1] !== undefined) {
      steps.push(quoted[1]);
      rest = rest.slice(quoted[0].length);
    } else if (indexed?.[1] !== undefined) {
      steps.push(Number(indexed[1]));
      rest = rest.slice(indexed[0].length);
    } else {
      throw new InvalidTargetInputError(
        `"${path}" is not a JSON path the local EventBridge reads ($.a.b, $['a'], $.list[0]): stuck at "${rest}"`,
      );
    }
  }
  return steps;
};

/** The value at a path, or undefined when the event has none there. */
export const valueAt = (document: unknown, path: string): unknown => {
  let value: unknown = document;
  for (const step of parseJsonPath(path)) {
    if (typeof step === 'number') value = Array.isArray(value) ? value[step] : undefined;
    else
      value =
        typeof value === 'object' && value !== null && !Array.isArray(value)
          ? (value as Record<string, unknown>)[step]
          : undefined;
    if (value === undefined) return undefined;
  }
  return value;
};

const RESERVED_PREFIX = 'aws.events.';

/** Checks a target's input settings once, when the rule is deployed. */
export const validateTargetInput = (spec: TargetInputSpec): void => {
  const given = [spec.input, spec.inputPath, spec.inputTransformer].filter((value) => value !== undefined);
  if (given.length > 1) {
    throw new InvalidTargetInputError('a target takes only one of Input, InputPath and InputTransformer');
  }
  if (spec.input !== undefined) {
    try {
      JSON.parse(spec.input);
    } catch {
      throw new InvalidTargetInputError(`Input must be valid JSON text, got ${spec.input.slice(0, 100)}`);
    }
  }
  if (spec.inputPath !== undefined) parseJsonPath(spec.inputPath);
  if (spec.inputTransformer) {
    for (const [name, path] of Object.entries(spec.inputTransformer.inputPathsMap)) {
      if (name.startsWith(RESERVED_PREFIX)) {
        throw new InvalidTargetInputError(
          `InputPathsMap key "${name}" uses the reserved prefix ${RESERVED_PREFIX}`,
        );
      }
      parseJsonPath(path);
    }
  }
};

/**
 * Fills a template: a placeholder inside a JSON string gets the value's text (a string as is, anything
 * else as its JSON), escaped for the string; outside a string it gets the value's JSON. A path the event
 * does not have gives `null` outside strings and nothing inside them.
 */
const fillTemplate = (template: string, variables: ReadonlyMap<string, unknown>): string => {
  let output = '';
  let inString = false;
  for (let index = 0; index < template.length; index += 1) {
    const char = template.charAt(index);
    if (char === '<') {
      const end = template.indexOf('>', index + 1);
      const name = end === -1 ? undefined : template.slice(index + 1, end);
      if (name !== undefined && variables.has(name)) {
        const value = variables.get(name);
        if (inString) {
          const text = value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
          output += JSON.stringify(text).slice(1, -1);
        } else {
          output += value === undefined ? 'null' : JSON.stringify(value);
        }
        index = end;
        continue;
      }
    }
    if (inString && char === '\\') {
      output += char + template.charAt(index + 1);
      index += 1;
      continue;
    }
    if (char === '"') inString = !inString;
    output += char;
  }
  return output;
};

/**
 * The payload a target receives for an event, as text: the event's JSON, the constant `Input`, the part
 * of the event at `InputPath`, or the filled `InputTemplate`.
 */
export const targetInput = (event: unknown, spec: TargetInputSpec, context: TransformContext): string => {
  if (spec.input !== undefined) return spec.input;
  if (spec.inputPath !== undefined) return JSON.stringify(valueAt(event, spec.inputPath) ?? null);
  const transformer = spec.inputTransformer;
  if (!transformer) return JSON.stringify(event);
  const variables = new Map<string, unknown>([
    ['aws.events.rule-arn', context.ruleArn],
    ['aws.events.rule-name', context.ruleName],
    ['aws.events.event.ingestion-time', context.ingestionTime],
    ['aws.events.event', event],
    ['aws.events.event.json', event],
  ]);
  for (const [name, path] of Object.entries(transformer.inputPathsMap))
    variables.set(name, valueAt(event, path));
  return fillTemplate(transformer.inputTemplate, variables);
};
