import { DEFAULT_RETRY_POLICY, type RuleTargetSpec } from '../../events/event-bus';
import { compileEventPattern, InvalidEventPatternError } from '../../events/event-pattern';
import { InvalidTargetInputError, validateTargetInput } from '../../events/target-input';
import type { DeployStep, EventRuleStep } from '../steps';
import {
  asList,
  asPlanned,
  isRecord,
  NO_PERMISSIONS,
  type ResolvedResource,
  type ResourceHandler,
} from './resource-handler';

/** Target properties that change nothing locally, and why. */
const TARGET_NOTES: Readonly<Record<string, string>> = {
  RoleArn: NO_PERMISSIONS,
  SqsParameters: 'the local queues are standard queues: MessageGroupId has no effect',
};

const TARGET_CARRIED = new Set([
  'Arn',
  'Id',
  'Input',
  'InputPath',
  'InputTransformer',
  'RetryPolicy',
  'DeadLetterConfig',
  ...Object.keys(TARGET_NOTES),
]);

/**
 * Plans an `AWS::Events::Rule`: a rule with an `EventPattern` on the default bus, whose targets are
 * Lambda functions or SQS queues of the template. A scheduled rule, another bus, another kind of
 * target or a target setting with local behaviour missing is an error naming it; settings that change
 * nothing locally become notes.
 */
const planEventRule = (rule: ResolvedResource, earlier: readonly DeployStep[]): EventRuleStep => {
  const at = (...path: (string | number)[]) => ['Properties', ...path];
  if (rule.property('ScheduleExpression') !== undefined) {
    throw rule.error(
      at('ScheduleExpression'),
      'scheduled rules are not supported locally (only event patterns)',
    );
  }
  const bus = rule.property('EventBusName');
  const busName = bus === undefined ? 'default' : String(bus).slice(String(bus).lastIndexOf('/') + 1);
  if (busName !== 'default') {
    throw rule.error(
      at('EventBusName'),
      `event bus ${busName}: the local EventBridge has the default bus only`,
    );
  }
  const rawPattern = rule.property('EventPattern');
  if (rawPattern === undefined) throw rule.error(at('EventPattern'), 'a rule needs an EventPattern locally');
  let eventPattern: Readonly<Record<string, unknown>>;
  try {
    eventPattern = compileEventPattern(rawPattern).source;
  } catch (error) {
    if (error instanceof InvalidEventPatternError) throw rule.error(at('EventPattern'), error.message);
    throw error;
  }
  const state = rule.property('State') ?? 'ENABLED';
  if (state !== 'ENABLED' && state !== 'DISABLED') {
    throw rule.error(at('State'), `state ${String(state)} is not supported locally (ENABLED or DISABLED)`);
  }
  const functions = new Set(earlier.flatMap((step) => (step.kind === 'function' ? [step.arn] : [])));
  const queues = new Set(earlier.flatMap((step) => (step.kind === 'queue' ? [step.queueArn] : [])));
  const notes: string[] = [];
  const targets = asList(rule.property('Targets')).map((target, index): RuleTargetSpec => {
    const path = at('Targets', index);
    if (!isRecord(target) || typeof target.Arn !== 'string' || typeof target.Id !== 'string') {
      throw rule.error(path, 'a target needs an Arn and an Id');
    }
    for (const name of Object.keys(target)) {
      if (!TARGET_CARRIED.has(name)) {
        throw rule.error([...path, name], `target setting ${name} is not supported locally`);
      }
      const reason = TARGET_NOTES[name];
      if (reason !== undefined) notes.push(`Targets[${target.Id}].${name} is not applied locally: ${reason}`);
    }
    if (!functions.has(target.Arn) && !queues.has(target.Arn)) {
      throw rule.error(
        [...path, 'Arn'],
        `${target.Arn} is not a Lambda function or SQS queue of this template: the local EventBridge delivers to those only`,
      );
    }
    const retry = isRecord(target.RetryPolicy) ? target.RetryPolicy : {};
    const count = (value: unknown, fallback: number, name: string): number => {
      if (value === undefined) return fallback;
      const number = Number(value);
      if (!Number.isInteger(number) || number < 0) {
        throw rule.error(
          [...path, 'RetryPolicy', name],
          `must be a whole number, got ${JSON.stringify(value)}`,
        );
      }
      return number;
    };
    const deadLetter = isRecord(target.DeadLetterConfig) ? target.DeadLetterConfig.Arn : undefined;
    if (deadLetter !== undefined && !queues.has(String(deadLetter))) {
      throw rule.error(
        [...path, 'DeadLetterConfig', 'Arn'],
        `${String(deadLetter)} is not an SQS queue of this template`,
      );
    }
    const transformer = target.InputTransformer;
    const spec: RuleTargetSpec = {
      id: target.Id,
      arn: target.Arn,
      ...(target.Input === undefined ? {} : { input: String(target.Input) }),
      ...(target.InputPath === undefined ? {} : { inputPath: String(target.InputPath) }),
      ...(isRecord(transformer)
        ? {
            inputTransformer: {
              inputPathsMap: Object.fromEntries(
                Object.entries(isRecord(transformer.InputPathsMap) ? transformer.InputPathsMap : {}).map(
                  ([key, value]) => [key, String(value)],
                ),
              ),
              inputTemplate: String(transformer.InputTemplate ?? ''),
            },
          }
        : {}),
      retryPolicy: {
        maximumRetryAttempts: count(
          retry.MaximumRetryAttempts,
          DEFAULT_RETRY_POLICY.maximumRetryAttempts,
          'MaximumRetryAttempts',
        ),
        maximumEventAgeSeconds: count(
          retry.MaximumEventAgeInSeconds,
          DEFAULT_RETRY_POLICY.maximumEventAgeSeconds,
          'MaximumEventAgeInSeconds',
        ),
      },
      ...(deadLetter === undefined ? {} : { deadLetterQueueArn: String(deadLetter) }),
    };
    try {
      validateTargetInput(spec);
    } catch (error) {
      if (error instanceof InvalidTargetInputError) throw rule.error(path, error.message);
      throw error;
    }
    return spec;
  });
  return {
    kind: 'eventRule',
    logicalId: rule.logicalId,
    name: rule.name,
    arn: rule.arn,
    eventBusName: busName,
    eventPattern,
    enabled: state === 'ENABLED',
    targets,
    notes: [
      ...rule.notes(['Name', 'EventBusName', 'EventPattern', 'State', 'Targets'], {
        RoleArn: NO_PERMISSIONS,
      }),
      ...notes,
    ],
  };
};

/** Rules of the default event bus onto functions and queues of the template. */
export const eventsHandler: ResourceHandler = {
  types: ['AWS::Events::Rule'],
  plan: planEventRule,
  deploy: {
    eventRule: asPlanned((step, targets) => targets.addEventRule(step)),
  },
};
