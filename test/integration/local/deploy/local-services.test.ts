import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentPlan } from '../../../../local/deploy/steps';
import { LambdaRunner } from '../../../../local/lambda/runner';
import { createLocalStepFunctions, type LocalStepFunctions } from '../../../../local/stepfunctions/service';
import { TEST_AWS } from '../../../support/aws';
import { stepsOf, synthAndPlan } from '../../../support/deploy-plan';

let plan: DeploymentPlan;
let runner: LambdaRunner;
let stepFunctions: LocalStepFunctions;

/** The runner's cap per function, so that what each registered function may run at once is known. */
const MAX_CONCURRENCY = 3;
const LAMBDA_ARN = /arn:aws:lambda:[^"]+/g;

beforeAll(() => {
  ({ plan } = synthAndPlan());
  runner = new LambdaRunner({ region: TEST_AWS.region, maxConcurrencyPerFunction: MAX_CONCURRENCY });
  // Nothing is executed here: no emulator has to listen behind these endpoints.
  stepFunctions = createLocalStepFunctions({
    invokeLambda: (arn, payload) => runner.invoke(arn, payload),
    endpoints: { dynamodb: 'http://127.0.0.1:9', sqs: 'http://127.0.0.1:9' },
    region: TEST_AWS.region,
  });
}, 60_000);

afterAll(async () => {
  await stepFunctions?.stop();
  await runner?.close();
});

describe('the plan’s steps as the local services take them', () => {
  it('registers every function with the Lambda runner under its name and the ARN references resolve to', () => {
    // Prepare
    const functions = stepsOf(plan, 'function');
    const invokedByTasks = new Set(stepsOf(plan, 'stateMachine')[0]?.definition.match(LAMBDA_ARN));
    expect(invokedByTasks.size).toBeGreaterThan(0);

    // Act
    for (const step of functions) runner.register(step);

    // Assess
    for (const step of functions) {
      const expected = Math.min(step.reservedConcurrency ?? MAX_CONCURRENCY, MAX_CONCURRENCY);
      expect(runner.concurrencyOf(step.arn), step.name).toBe(expected);
      expect(runner.concurrencyOf(step.name), step.name).toBe(expected);
    }
    for (const arn of invokedByTasks) expect(runner.concurrencyOf(arn), arn).toBe(MAX_CONCURRENCY);
  });

  it('registers the state machine under the ARN the template’s references resolved to', () => {
    // Prepare
    const [machine] = stepsOf(plan, 'stateMachine');
    if (!machine) throw new Error('no state machine in the plan');

    // Act
    const { stateMachineArn } = stepFunctions.registerStateMachine(machine);

    // Assess
    expect(stateMachineArn).toBe(machine.arn);
    const described = stepFunctions.api.call('DescribeStateMachine', { stateMachineArn }) as {
      definition: string;
    };
    expect(JSON.parse(described.definition)).toEqual(JSON.parse(machine.definition));
  });
});
