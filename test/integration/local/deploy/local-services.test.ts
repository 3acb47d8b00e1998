import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentPlan } from '../../../../local/deploy/steps';
import { LambdaRunner } from '../../../../local/lambda/runner';
import { SqsEventSource } from '../../../../local/lambda/sqs-event-source';
import { createLocalStepFunctions, type LocalStepFunctions } from '../../../../local/stepfunctions/service';
import { TEST_AWS, testSqs } from '../../../support/aws';
import { stepsOf, synthAndPlan } from '../../../support/deploy-plan';

let plan: DeploymentPlan;
let runner: LambdaRunner;
let stepFunctions: LocalStepFunctions;

beforeAll(() => {
  ({ plan } = synthAndPlan());
  runner = new LambdaRunner({ region: TEST_AWS.region });
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
  it('registers every function with the Lambda runner, with its reserved concurrency', () => {
    // Act
    for (const step of stepsOf(plan, 'function')) runner.register(step);

    // Assess
    for (const step of stepsOf(plan, 'function')) {
      expect(() => runner.concurrencyOf(step.arn)).not.toThrow();
      if (step.reservedConcurrency !== undefined) {
        expect(runner.concurrencyOf(step.name)).toBeLessThanOrEqual(step.reservedConcurrency);
      }
    }
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

  it('builds an SQS event source from each mapping', () => {
    // Prepare
    const sqs = testSqs('http://127.0.0.1:9');

    // Act
    const sources = stepsOf(plan, 'eventSource').map(
      (step) => new SqsEventSource({ ...step, sqs, invoker: runner, region: TEST_AWS.region }),
    );

    // Assess
    expect(sources.map((source) => source.running)).toEqual(stepsOf(plan, 'eventSource').map(() => false));
    sqs.destroy();
  });
});
