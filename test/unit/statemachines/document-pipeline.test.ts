import { createRequire } from 'node:module';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { REJECTION_ERROR_NAMES } from '../../../lambdas/shared/documents/errors';
import {
  type AslCatcher,
  type AslRetrier,
  type AslState,
  type AslStates,
  type LocatedState,
  listStates,
} from '../../../local/stepfunctions/asl';
import { executionContext } from '../../../local/stepfunctions/context-object';
import { readDefinition } from '../../../statemachines/definition';
import { SUBSTITUTION_KEYS, type Substitutions, substitute } from '../../../statemachines/substitutions';

const require = createRequire(import.meta.url);
const aslValidator = require('asl-validator') as (
  definition: unknown,
  options?: { checkPaths?: boolean; checkArn?: boolean },
) => { isValid: boolean; errorsText: (separator?: string) => string };

/** Values shaped like the real ones, so asl-validator's ARN checks apply to the substituted definition. */
const SUBSTITUTIONS: Substitutions = {
  InspectFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:docflow-Inspect',
  ThumbnailFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:docflow-Thumbnail',
  ExtractTextFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:docflow-ExtractText',
  IndexMetadataFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:docflow-IndexMetadata',
  MetadataTableName: 'docflow-MetadataTable-1A2B3C4D5E6F',
  FailedDocumentsQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/docflow-FailedDocuments',
};

type JsonValue = Parameters<StateMachine['run']>[0];

const RAW = readDefinition();
const DEFINITION = JSON.parse(substitute(RAW, SUBSTITUTIONS)) as AslStates;

const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];
const REJECTED_STATE = 'RecordRejected';
/** Tasks of the deletion path: they read no document bytes, so nothing there can be a rejection. */
const DELETION_STATES = ['RecordDeletion'];

const isLambdaTask = (state: AslState): boolean =>
  state.Type === 'Task' &&
  (/^arn:aws:lambda:/.test(state.Resource ?? '') ||
    (state.Resource ?? '').startsWith('arn:aws:states:::lambda:invoke'));

const tasks = (definition: AslStates): LocatedState[] =>
  listStates(definition).filter(({ state }) => state.Type === 'Task');

/** The Parameters a task sends its function (the Payload for lambda:invoke). */
const functionInput = (state: AslState): Record<string, unknown> => {
  const parameters = (state.Parameters ?? {}) as Record<string, unknown>;
  return (parameters.Payload ?? parameters) as Record<string, unknown>;
};

const isTextractTask = (state: AslState): boolean =>
  isLambdaTask(state) && String(functionInput(state).strategy ?? '').startsWith('textract');

/** Whether one ErrorEquals entry matches an error name, as Step Functions matches it. */
const matches = (pattern: string, error: string): boolean =>
  pattern === error ||
  pattern === 'States.ALL' ||
  (pattern === 'States.TaskFailed' && !error.startsWith('States.'));

/** The retrier Step Functions would use for an error: the first that matches it. */
const firstRetrier = (state: AslState, error: string): AslRetrier | undefined =>
  state.Retry?.find((retrier) => retrier.ErrorEquals.some((pattern) => matches(pattern, error)));

/** The Catch lists an error can reach from a state: its own, then each enclosing Parallel/Map's, innermost first. */
const catchChain = ({ state, enclosing }: LocatedState): (readonly AslCatcher[])[] =>
  [state, ...enclosing.map((outer) => outer.state).reverse()].map((s) => s.Catch ?? []);

/** Where an error goes: the first matching catcher along the chain. */
const firstCatcher = (located: LocatedState, error: string): AslCatcher | undefined => {
  for (const catchers of catchChain(located)) {
    const found = catchers.find((catcher) => catcher.ErrorEquals.some((pattern) => matches(pattern, error)));
    if (found) return found;
  }
  return undefined;
};

const endsWithStatesAll = (list: readonly { ErrorEquals: readonly string[] }[]): boolean =>
  JSON.stringify(list.at(-1)?.ErrorEquals) === '["States.ALL"]';

const validationErrors = (definition: AslStates): string[] => {
  // asl-validator writes default QueryLanguage fields into what it is given.
  const result = aslValidator(structuredClone(definition), { checkArn: true, checkPaths: true });
  return result.isValid ? [] : [result.errorsText('\n')];
};

const retryAndCatchViolations = (definition: AslStates): string[] => {
  const violations: string[] = [];
  for (const located of tasks(definition)) {
    const { name, state } = located;
    if (!state.Retry?.length) violations.push(`${name}: no Retry`);
    if (!catchChain(located).some((catchers) => catchers.length > 0 && endsWithStatesAll(catchers))) {
      violations.push(`${name}: not under a Catch that ends with States.ALL`);
    }
    if (state.TimeoutSeconds === undefined) violations.push(`${name}: no TimeoutSeconds`);
  }
  for (const { name, state } of listStates(definition)) {
    for (const [field, list] of [
      ['Retry', state.Retry ?? []],
      ['Catch', state.Catch ?? []],
    ] as const) {
      list.forEach((entry, index) => {
        const all = entry.ErrorEquals.includes('States.ALL');
        if (all && (entry.ErrorEquals.length > 1 || index !== list.length - 1)) {
          violations.push(`${name}: States.ALL must stand alone and last in ${field}`);
        }
      });
    }
  }
  return violations;
};

const rejectionViolations = (definition: AslStates): string[] => {
  const violations: string[] = [];
  const expected = [...REJECTION_ERROR_NAMES].sort();
  for (const { name, state } of listStates(definition)) {
    for (const catcher of state.Catch ?? []) {
      if (catcher.Next !== REJECTED_STATE) continue;
      const listed = [...catcher.ErrorEquals].sort();
      if (JSON.stringify(listed) !== JSON.stringify(expected)) {
        violations.push(`${name}: the Catch to ${REJECTED_STATE} lists ${listed.join(',')}`);
      }
    }
  }
  const documentTasks = tasks(definition).filter(
    ({ name, state }) => isLambdaTask(state) && !DELETION_STATES.includes(name),
  );
  for (const located of documentTasks) {
    const { name, state } = located;
    const retry = state.Retry ?? [];
    const allIndex = retry.findIndex((retrier) => retrier.ErrorEquals.includes('States.ALL'));
    retry.forEach((retrier, index) => {
      if (!retrier.ErrorEquals.some((error) => (REJECTION_ERROR_NAMES as string[]).includes(error))) return;
      if (retrier.MaxAttempts !== 0) violations.push(`${name}: a retrier of rejections has MaxAttempts ≠ 0`);
      if (allIndex !== -1 && index > allIndex)
        violations.push(`${name}: a retrier of rejections after States.ALL`);
    });
    for (const error of REJECTION_ERROR_NAMES) {
      const retrier = firstRetrier(state, error);
      if (retrier && retrier.MaxAttempts !== 0) violations.push(`${name}: retries ${error}`);
      if (name === REJECTED_STATE) continue;
      const catcher = firstCatcher(located, error);
      if (catcher?.Next !== REJECTED_STATE)
        violations.push(`${name}: ${error} does not reach ${REJECTED_STATE}`);
    }
  }
  return violations;
};

/** A transient error must be retried by a retrier naming it, with full jitter and a delay cap. */
const retriedWithJitter = (name: string, state: AslState, error: string, minAttempts: number): string[] => {
  const retrier = firstRetrier(state, error);
  if (!retrier?.ErrorEquals.includes(error)) return [`${name}: no retrier names ${error}`];
  const problems: string[] = [];
  if ((retrier.MaxAttempts ?? 3) < minAttempts)
    problems.push(`${name}: ${error} retried < ${minAttempts} times`);
  if (retrier.JitterStrategy !== 'FULL') problems.push(`${name}: ${error} retried without full jitter`);
  if (!(retrier.MaxDelaySeconds && retrier.MaxDelaySeconds > 0)) {
    problems.push(`${name}: ${error} retried without MaxDelaySeconds`);
  }
  return problems;
};

const transientRetryViolations = (definition: AslStates): string[] => {
  const lambdaTasks = tasks(definition).filter(({ state }) => isLambdaTask(state));
  const textractTasks = lambdaTasks.filter(({ state }) => isTextractTask(state));
  return [
    ...(textractTasks.length < 2 ? ['fewer than two Textract tasks found: the check is vacuous'] : []),
    ...lambdaTasks.flatMap(({ name, state }) =>
      LAMBDA_SERVICE_ERRORS.flatMap((error) => retriedWithJitter(name, state, error, 2)),
    ),
    ...textractTasks.flatMap(({ name, state }) =>
      retriedWithJitter(name, state, 'TextractThrottledError', 3),
    ),
  ];
};

const callbackViolations = (definition: AslStates): string[] => {
  const callbacks = tasks(definition).filter(({ state }) => state.Resource?.endsWith('.waitForTaskToken'));
  if (callbacks.length === 0) return ['no .waitForTaskToken task found: the check is vacuous'];
  return callbacks.flatMap(({ name, state }) => {
    const problems: string[] = [];
    if (!state.TimeoutSeconds) problems.push(`${name}: no TimeoutSeconds`);
    if (!state.HeartbeatSeconds) problems.push(`${name}: no HeartbeatSeconds`);
    if (state.HeartbeatSeconds && state.TimeoutSeconds && state.HeartbeatSeconds >= state.TimeoutSeconds) {
      problems.push(`${name}: HeartbeatSeconds must be below TimeoutSeconds`);
    }
    if (!Object.values(functionInput(state)).includes('$$.Task.Token')) {
      problems.push(`${name}: does not pass $$.Task.Token`);
    }
    return problems;
  });
};

const queryLanguageViolations = (raw: string, definition: AslStates): string[] => {
  const violations: string[] = [];
  const machines = [definition, ...listStates(definition).flatMap(({ state }) => state.Branches ?? [])];
  for (const machine of machines) {
    if (machine.QueryLanguage !== undefined && machine.QueryLanguage !== 'JSONPath') {
      violations.push(`a machine uses QueryLanguage ${machine.QueryLanguage}`);
    }
  }
  for (const { name, state } of listStates(definition)) {
    if (state.QueryLanguage !== undefined && state.QueryLanguage !== 'JSONPath') {
      violations.push(`${name}: QueryLanguage ${state.QueryLanguage}`);
    }
    for (const jsonataField of ['Arguments', 'Output']) {
      if (jsonataField in state) violations.push(`${name}: JSONata field ${jsonataField}`);
    }
  }
  if (raw.includes('{%')) violations.push('a JSONata {% %} expression');
  return violations;
};

/** Every JSONPath a state reads or writes: path fields, `*.$` template values, intrinsic arguments. */
const jsonPaths = (state: AslState): string[] => {
  const paths: string[] = [];
  for (const field of ['InputPath', 'OutputPath', 'ResultPath'] as const) {
    const value = state[field];
    if (typeof value === 'string') paths.push(value);
  }
  const visit = (template: unknown): void => {
    if (Array.isArray(template)) template.forEach(visit);
    else if (typeof template === 'object' && template !== null) {
      for (const [key, value] of Object.entries(template)) {
        if (key.endsWith('.$') && typeof value === 'string') {
          paths.push(...(value.match(/\$\$?[^\s,)']*/g) ?? []));
        } else visit(value);
      }
    }
  };
  visit(state.Parameters);
  visit(state.ResultSelector);
  for (const catcher of state.Catch ?? []) if (catcher.ResultPath) paths.push(catcher.ResultPath);
  return paths;
};

/** Names of fields that hold document text (or OCR output), never pointers to it. */
const TEXT_CONTENT_FIELDS =
  /^(content|contents|body|fulltext|extractedtext|rawtext|plaintext|blocks|lines|paragraphs)$/i;
/** What may follow a `text` segment: the fields of the TextInfo pointer. */
const TEXT_POINTER_FIELDS = new Set(['bucket', 'key', 'pages', 'characters', 'words', 'source']);

const textPathProblem = (path: string): string | undefined => {
  const segments = path
    .replace(/^\$\$?/, '')
    .split(/\.|\[|\]/)
    .filter((segment) => segment !== '');
  for (const [index, segment] of segments.entries()) {
    if (TEXT_CONTENT_FIELDS.test(segment)) return `reads text content field "${segment}"`;
    if (segment !== 'text') continue;
    if (segments.slice(0, index).includes('pages')) return 'reads per-page text';
    const next = segments[index + 1];
    if (next !== undefined && !TEXT_POINTER_FIELDS.has(next)) return `reads text.${next}`;
  }
  return undefined;
};

const textInStateViolations = (definition: AslStates): string[] =>
  listStates(definition).flatMap(({ name, state }) =>
    jsonPaths(state).flatMap((path) => {
      const problem = textPathProblem(path);
      return problem ? [`${name}: ${path} ${problem}`] : [];
    }),
  );

/** Top-level states whose task result could replace the whole state, or overwrite the execution's input. */
const resultPlacementViolations = (definition: AslStates): string[] =>
  Object.entries(definition.States).flatMap(([name, state]) => {
    if (state.Type !== 'Task' && state.Type !== 'Parallel') return [];
    if (!('ResultPath' in state) || state.ResultPath === '$')
      return [`${name}: its result replaces the state`];
    if (state.ResultPath?.startsWith('$.document')) return [`${name}: its result overwrites $.document`];
    return [];
  });

/** Context Object fields aws-local-stepfunctions sets itself, per (nested) run. */
const INTERPRETER_CONTEXT_PATHS = ['$$.Execution.Input', '$$.Execution.StartTime'];

/**
 * Context Object paths the local cloud cannot answer as AWS does: fields neither the interpreter nor
 * `executionContext` provides, and execution fields read inside a Parallel branch, where the
 * interpreter answers with the branch's own input and start time.
 */
const localContextViolations = (definition: AslStates): string[] => {
  const context = executionContext({
    executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:docflow:run',
    name: 'run',
    stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:docflow',
    stateMachineName: 'docflow',
  });
  const provided = (path: string): boolean =>
    INTERPRETER_CONTEXT_PATHS.includes(path) ||
    path
      .slice(3)
      .split('.')
      .reduce<unknown>((value, field) => (value as Record<string, unknown> | undefined)?.[field], context) !==
      undefined;
  return listStates(definition).flatMap(({ name, state, enclosing }) =>
    jsonPaths(state)
      .filter((path) => path.startsWith('$$.'))
      .flatMap((path) => {
        if (!provided(path)) return [`${name}: ${path} has no local value`];
        if (enclosing.length > 0 && INTERPRETER_CONTEXT_PATHS.includes(path)) {
          return [`${name}: ${path} inside a branch is the branch's locally`];
        }
        return [];
      }),
  );
};

const parallelStates = (definition: AslStates): LocatedState[] =>
  listStates(definition).filter(({ state }) => state.Type === 'Parallel');

/** A deep copy of the definition with one state changed, to show that a check catches the fault. */
const mutated = (name: string, change: (state: Record<string, unknown>) => void): AslStates => {
  const copy = structuredClone(DEFINITION);
  const located = listStates(copy).find((candidate) => candidate.name === name);
  if (!located) throw new Error(`no state ${name}`);
  change(located.state as unknown as Record<string, unknown>);
  return copy;
};

const retrierNaming = (error: string) => (state: Record<string, unknown>) =>
  (state.Retry as AslRetrier[]).find((retrier) => retrier.ErrorEquals.includes(error)) as unknown as Record<
    string,
    unknown
  >;

/** A change that makes a state pass `path` as its parameter `key`. */
const passing = (key: string, path: string) => (state: Record<string, unknown>) => {
  (state.Parameters as Record<string, unknown>)[key] = path;
};

/** What rejectionViolations says of `state` once it retries every rejection. */
const retriesEveryRejection = (state: string): string[] =>
  REJECTION_ERROR_NAMES.map((name) => `${state}: retries ${name}`);

/** The definition with MakeDerivatives selecting the text's content into its result, not only its pointer. */
const TEXT_IN_PARALLEL_RESULT = mutated('MakeDerivatives', (state) => {
  state.ResultSelector = { 'thumbnail.$': '$[0].thumbnail', 'text.$': '$[1].text.content' };
});

describe('document-pipeline.asl.yaml', () => {
  it('is a valid state machine once its placeholders hold real-looking ARNs and URLs', () => {
    // Act
    const errors = validationErrors(DEFINITION);

    // Assess
    expect(errors).toEqual([]);
  });

  it('uses exactly the placeholders of SUBSTITUTION_KEYS', () => {
    // Act
    const placeholders = new Set([...RAW.matchAll(/\$\{([A-Za-z0-9]+)\}/g)].map((match) => match[1]));
    const dollarBraces = RAW.split('${').length - 1;

    // Assess
    expect([...placeholders].sort()).toEqual([...SUBSTITUTION_KEYS].sort());
    expect(dollarBraces).toBe([...RAW.matchAll(/\$\{([A-Za-z0-9]+)\}/g)].length);
  });

  it('leaves no placeholder behind after substitution, and substitute refuses unknown or missing keys', () => {
    // Act
    const substituted = substitute(RAW, SUBSTITUTIONS);
    const { MetadataTableName: _, ...missingOne } = SUBSTITUTIONS;

    // Assess
    expect(substituted).not.toContain('${');
    expect(substituted).toContain(SUBSTITUTIONS.FailedDocumentsQueueUrl);
    expect(() => substitute(`{"a":"$\{NotAKey}"}`, SUBSTITUTIONS)).toThrow(
      /^no substitution for \$\{NotAKey\}$/,
    );
    expect(() => substitute(RAW, missingOne as Substitutions)).toThrow(
      /^no substitution for \$\{MetadataTableName\}$/,
    );
  });

  it('gives every Task a Retry and a timeout, under a Catch that ends with States.ALL', () => {
    // Act
    const violations = retryAndCatchViolations(DEFINITION);

    // Assess
    expect(tasks(DEFINITION).length).toBeGreaterThanOrEqual(9);
    expect(violations).toEqual([]);
  });

  it.each([
    {
      rule: 'never retries a rejection, and sends every rejection (only those) to RecordRejected',
      violationsOf: () => rejectionViolations(DEFINITION),
    },
    {
      rule: 'retries Lambda service errors and Textract throttling with full jitter and a delay cap',
      violationsOf: () => transientRetryViolations(DEFINITION),
    },
    {
      rule: 'bounds the Textract callback with a timeout and a heartbeat, and passes it the task token',
      violationsOf: () => callbackViolations(DEFINITION),
    },
    { rule: 'is JSONPath only', violationsOf: () => queryLanguageViolations(RAW, DEFINITION) },
    {
      rule: 'reads only Context Object fields the local cloud provides as AWS does',
      violationsOf: () => localContextViolations(DEFINITION),
    },
    {
      rule: 'never reads a field that holds text into the state',
      violationsOf: () => textInStateViolations(DEFINITION),
    },
  ])('$rule', ({ violationsOf }) => {
    // Act
    const violations = violationsOf();

    // Assess
    expect(violations).toEqual([]);
  });

  it('keeps only the thumbnail and text pointers of the Parallel branches', () => {
    // Act
    const [parallel, ...others] = parallelStates(DEFINITION);

    // Assess
    expect(others).toEqual([]);
    expect(parallel?.state.Branches?.map((branch) => branch.StartAt)).toEqual([
      'Thumbnail',
      'ChooseTextStrategy',
    ]);
    expect(parallel?.state.ResultSelector).toEqual({
      'thumbnail.$': '$[0].thumbnail',
      'text.$': '$[1].text',
    });
  });

  it('puts every top-level result in its own slot, never over the state or the execution input', () => {
    // Act
    const violations = resultPlacementViolations(DEFINITION);

    // Assess
    expect(violations).toEqual([]);
  });
});

describe('the checks catch the faults they are for', () => {
  it('reports an invalid definition', () => {
    // Prepare
    const broken = mutated('Inspect', (state) => {
      state.Next = 'NoSuchState';
    });

    // Act
    const errors = validationErrors(broken);

    // Assess
    expect(errors.join()).toContain('NoSuchState');
  });

  it.each([
    {
      fault: 'a Task without Retry or TimeoutSeconds',
      check: retryAndCatchViolations,
      mutant: mutated('Thumbnail', (state) => {
        delete state.Retry;
        delete state.TimeoutSeconds;
      }),
      violations: ['Thumbnail: no Retry', 'Thumbnail: no TimeoutSeconds'],
    },
    {
      fault: 'a Task without a catch-all',
      check: retryAndCatchViolations,
      mutant: mutated('Inspect', (state) => {
        state.Catch = (state.Catch as AslCatcher[]).slice(0, 1);
      }),
      violations: ['Inspect: not under a Catch that ends with States.ALL'],
    },
    {
      fault: 'a retrier after the States.ALL one',
      check: retryAndCatchViolations,
      mutant: mutated('SendToDlq', (state) => {
        state.Retry = [...(state.Retry as AslRetrier[]), { ErrorEquals: ['Nope'] }];
      }),
      violations: ['SendToDlq: States.ALL must stand alone and last in Retry'],
    },
    {
      fault: 'a retried rejection',
      check: rejectionViolations,
      mutant: mutated('Thumbnail', (state) => {
        retrierNaming('CorruptDocumentError')(state).MaxAttempts = 2;
      }),
      violations: [
        'Thumbnail: a retrier of rejections has MaxAttempts ≠ 0',
        ...retriesEveryRejection('Thumbnail'),
      ],
    },
    {
      fault: 'a rejection retrier after States.ALL',
      check: rejectionViolations,
      mutant: mutated('IndexMetadata', (state) => {
        state.Retry = [...(state.Retry as AslRetrier[])].reverse();
      }),
      violations: [
        'IndexMetadata: a retrier of rejections after States.ALL',
        ...retriesEveryRejection('IndexMetadata'),
      ],
    },
    {
      fault: 'a Catch to RecordRejected that misses a rejection',
      check: rejectionViolations,
      mutant: mutated('Inspect', (state) => {
        const catcher = (state.Catch as AslCatcher[])[0] as unknown as { ErrorEquals: string[] };
        catcher.ErrorEquals = catcher.ErrorEquals.filter((error) => error !== 'EncryptedDocumentError');
      }),
      violations: [
        'Inspect: the Catch to RecordRejected lists CorruptDocumentError,DocumentNotFoundError,DocumentTooLargeError,EmptyDocumentError,UnsupportedDocumentError',
        'Inspect: EncryptedDocumentError does not reach RecordRejected',
      ],
    },
    {
      fault: 'Lambda throttling left to the catch-all',
      check: transientRetryViolations,
      mutant: mutated('IndexMetadata', (state) => {
        const retrier = retrierNaming('Lambda.TooManyRequestsException')(state) as { ErrorEquals: string[] };
        retrier.ErrorEquals = retrier.ErrorEquals.filter(
          (error) => error !== 'Lambda.TooManyRequestsException',
        );
      }),
      violations: ['IndexMetadata: no retrier names Lambda.TooManyRequestsException'],
    },
    {
      fault: 'a retrier of Lambda service errors without jitter',
      check: transientRetryViolations,
      mutant: mutated('Inspect', (state) => {
        delete retrierNaming('Lambda.ServiceException')(state).JitterStrategy;
      }),
      violations: LAMBDA_SERVICE_ERRORS.map((error) => `Inspect: ${error} retried without full jitter`),
    },
    {
      fault: 'Textract throttling left to the catch-all',
      check: transientRetryViolations,
      mutant: mutated('DetectTextWithTextract', (state) => {
        state.Retry = (state.Retry as AslRetrier[]).filter(
          (retrier) => !retrier.ErrorEquals.includes('TextractThrottledError'),
        );
      }),
      violations: ['DetectTextWithTextract: no retrier names TextractThrottledError'],
    },
    {
      fault: 'a callback task without heartbeat or token',
      check: callbackViolations,
      mutant: mutated('AnalyzeWithTextractJob', (state) => {
        delete state.HeartbeatSeconds;
        const payload = (state.Parameters as { Payload: Record<string, unknown> }).Payload;
        delete payload['taskToken.$'];
      }),
      violations: [
        'AnalyzeWithTextractJob: no HeartbeatSeconds',
        'AnalyzeWithTextractJob: does not pass $$.Task.Token',
      ],
    },
    {
      fault: 'JSONata',
      check: (definition: AslStates) =>
        queryLanguageViolations('{"Output": "{% $states.input %}"}', definition),
      mutant: mutated('NoText', (state) => {
        state.QueryLanguage = 'JSONata';
      }),
      violations: ['NoText: QueryLanguage JSONata', 'a JSONata {% %} expression'],
    },
    {
      fault: 'a Context Object field the local cloud cannot answer',
      check: localContextViolations,
      mutant: mutated('IndexMetadata', passing('retries.$', '$$.State.RetryCount')),
      violations: ['IndexMetadata: $$.State.RetryCount has no local value'],
    },
    {
      fault: 'a Context Object field that a branch reads as its own',
      check: localContextViolations,
      mutant: mutated('ExtractTextLocally', passing('startedAt.$', '$$.Execution.StartTime')),
      violations: ["ExtractTextLocally: $$.Execution.StartTime inside a branch is the branch's locally"],
    },
    {
      fault: 'text content selected into the state',
      check: textInStateViolations,
      mutant: TEXT_IN_PARALLEL_RESULT,
      violations: ['MakeDerivatives: $[1].text.content reads text.content'],
    },
    {
      fault: 'a text content field passed to a Task',
      check: textInStateViolations,
      mutant: mutated('IndexMetadata', passing('body.$', '$.derivatives.fullText')),
      violations: ['IndexMetadata: $.derivatives.fullText reads text content field "fullText"'],
    },
    {
      fault: 'per-page text selected into the state',
      check: textInStateViolations,
      mutant: mutated('ExtractTextLocally', (state) => {
        state.ResultSelector = { 'first.$': "States.Format('{}', $.pages[0].text)" };
      }),
      violations: ['ExtractTextLocally: $.pages[0].text reads per-page text'],
    },
    {
      fault: 'a result that replaces the state',
      check: resultPlacementViolations,
      mutant: mutated('Inspect', (state) => {
        delete state.ResultPath;
      }),
      violations: ['Inspect: its result replaces the state'],
    },
    {
      fault: 'a result that overwrites the input',
      check: resultPlacementViolations,
      mutant: mutated('IndexMetadata', (state) => {
        state.ResultPath = '$.document.indexed';
      }),
      violations: ['IndexMetadata: its result overwrites $.document'],
    },
  ])('reports $fault', ({ check, mutant, violations }) => {
    // Act
    const found = check(mutant);

    // Assess
    expect(found).toEqual(violations);
  });

  it('sees a Parallel that keeps more than the pointers', () => {
    // Act
    const [parallel] = parallelStates(TEXT_IN_PARALLEL_RESULT);

    // Assess
    expect(parallel?.state.ResultSelector).not.toEqual({
      'thumbnail.$': '$[0].thumbnail',
      'text.$': '$[1].text',
    });
  });
});

describe('generations: which run of a version an execution is', () => {
  /** Runs the definition with every Task replaced by a recorder, returning what each Task received. */
  const runRecorded = async (input: Record<string, JsonValue>) => {
    const seen: Record<string, JsonValue> = {};
    const recorder = (name: string, result: JsonValue) => async (event: JsonValue) => {
      seen[name] = event;
      return result;
    };
    const machine = new StateMachine(DEFINITION as unknown as StateMachineDefinition);
    const execution = machine.run(input as JsonValue, {
      overrides: {
        taskResourceLocalHandlers: {
          MarkProcessing: recorder('MarkProcessing', {}),
          Inspect: recorder('Inspect', { type: 'text', textStrategy: 'none' }),
          Thumbnail: recorder('Thumbnail', { thumbnail: null }),
          IndexMetadata: recorder('IndexMetadata', { written: true, status: 'PROCESSED' }),
        },
      },
      context: executionContext({
        executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:docflow:run',
        name: 'run',
        stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:docflow',
        stateMachineName: 'docflow',
      }) as never,
    });
    const entered: string[] = [];
    const collecting = (async () => {
      for await (const event of execution.eventLogs) {
        if (event.type === 'StateEntered') entered.push(event.state.name);
      }
    })();
    await execution.result;
    await collecting;
    return { entered, seen };
  };

  const document = {
    id: 'doc',
    bucket: 'uploads',
    key: 'incoming/a.txt',
    version: 'A'.padEnd(32, '0'),
    sequencer: 'A'.padEnd(32, '0'),
    size: 12,
    eTag: 'e1',
    uploadedAt: '2026-11-23T10:00:00.000Z',
    shard: '3',
  };

  it('runs an input without a generation (from before generations, or started by hand) as generation 0', async () => {
    // Act
    const { entered, seen } = await runRecorded({ document });

    // Assess
    expect(entered.slice(0, 3)).toEqual(['RouteEvent', 'DefaultGeneration', 'MarkProcessing']);
    expect(seen.MarkProcessing).toMatchObject({ ExpressionAttributeValues: { ':generation': { N: '0' } } });
    expect(seen.IndexMetadata).toMatchObject({ outcome: 'PROCESSED', generation: 0 });
  });

  it('keeps the generation the starter gave, and hands it to the record writes', async () => {
    // Act
    const upload = await runRecorded({ document, generation: 0 });
    const reprocess = await runRecorded({ document, generation: 3 });

    // Assess
    expect(upload.entered.slice(0, 2)).toEqual(['RouteEvent', 'MarkProcessing']);
    expect(reprocess.entered.slice(0, 2)).toEqual(['RouteEvent', 'MarkProcessing']);
    expect(reprocess.seen.MarkProcessing).toMatchObject({
      ExpressionAttributeValues: { ':generation': { N: '3' } },
    });
    expect(reprocess.seen.IndexMetadata).toMatchObject({ generation: 3 });
    expect(
      ['IndexMetadata', 'RecordRejected'].map(
        (name) =>
          (DEFINITION.States[name]?.Parameters as Record<string, unknown> | undefined)?.['generation.$'],
      ),
    ).toEqual(['$.generation', '$.generation']);
  });
});
