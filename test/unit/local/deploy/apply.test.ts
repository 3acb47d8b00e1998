import { beforeAll, describe, expect, it } from 'vitest';
import { applyPlan, type LocalTargets } from '../../../../local/deploy/apply';
import { DeploymentMismatchError } from '../../../../local/deploy/resources/resource-handler';
import type { DeploymentPlan, DeployStep } from '../../../../local/deploy/steps';
import { stepsOf, synthAndPlan } from '../../../support/deploy-plan';

let plan: DeploymentPlan;

beforeAll(() => {
  ({ plan } = synthAndPlan());
}, 60_000);

/** Targets that record each call and answer as a faithful local service would. */
const recordingTargets = (overrides: Partial<LocalTargets> = {}) => {
  const calls: { operation: string; logicalId: string }[] = [];
  const record = (operation: string) => (step: DeployStep) => {
    calls.push({ operation, logicalId: step.logicalId });
  };
  const targets: LocalTargets = {
    createBucket: record('createBucket'),
    putBucketNotification: record('putBucketNotification'),
    createQueue: (step) => {
      record('createQueue')(step);
      // fauxqs answers with its own host; only the path has to match.
      return { queueUrl: `http://sqs.us-east-1.127.0.0.1:9999/${plan.accountId}/${step.queueName}` };
    },
    createTopic: (step) => {
      record('createTopic')(step);
      return { topicArn: step.topicArn };
    },
    subscribe: async (step) => {
      record('subscribe')(step);
      return { subscriptionArn: `${step.topicArn}:0b1c7d0e-local` };
    },
    createTable: record('createTable'),
    createSecret: (step) => {
      record('createSecret')(step);
      return { arn: `${step.arn}-AbCdEf` };
    },
    registerFunction: record('registerFunction'),
    addEventSource: record('addEventSource'),
    registerStateMachine: (step) => {
      record('registerStateMachine')(step);
      return { stateMachineArn: step.arn };
    },
    addEventRule: record('addEventRule'),
    addApiRoutes: record('addApiRoutes'),
    ...overrides,
  };
  return { targets, calls };
};

const OPERATION: Record<DeployStep['kind'], string> = {
  bucket: 'createBucket',
  bucketNotification: 'putBucketNotification',
  queue: 'createQueue',
  topic: 'createTopic',
  subscription: 'subscribe',
  table: 'createTable',
  secret: 'createSecret',
  function: 'registerFunction',
  eventSource: 'addEventSource',
  stateMachine: 'registerStateMachine',
  eventRule: 'addEventRule',
  api: 'addApiRoutes',
};

describe('applyPlan', () => {
  it('carries out every step once, in plan order, with the matching operation', async () => {
    // Prepare
    const { targets, calls } = recordingTargets();
    const progress: number[] = [];

    // Act
    await applyPlan(plan, targets, { onStep: (_, index) => progress.push(index) });

    // Assess
    expect(calls).toEqual(
      plan.steps.map((step) => ({ operation: OPERATION[step.kind], logicalId: step.logicalId })),
    );
    expect(progress).toEqual(plan.steps.map((_, index) => index));
  });

  it('describes the deployment: resolved outputs and every resource with the ids the services gave', async () => {
    // Prepare
    const { targets } = recordingTargets();
    const [secret] = stepsOf(plan, 'secret');
    const [subscription] = stepsOf(plan, 'subscription');
    const [queue] = stepsOf(plan, 'queue');

    // Act
    const deployment = await applyPlan(plan, targets);

    // Assess
    expect(deployment.outputs).toEqual(
      Object.fromEntries(Object.entries(plan.outputs).map(([name, output]) => [name, output.value])),
    );
    expect(Object.keys(deployment.resources).sort()).toEqual(Object.keys(plan.resources).sort());
    expect(deployment.resources[secret?.logicalId ?? '']?.arn).toBe(`${secret?.arn}-AbCdEf`);
    expect(deployment.resources[subscription?.logicalId ?? '']?.arn).toBe(
      `${subscription?.topicArn}:0b1c7d0e-local`,
    );
    expect(deployment.resources[queue?.logicalId ?? '']).toEqual({
      type: 'AWS::SQS::Queue',
      physicalId: queue?.queueName,
      arn: queue?.queueArn,
      url: queue?.queueUrl,
    });
    expect(deployment.notes[queue?.logicalId ?? '']).toEqual(queue?.notes);
    expect(deployment.stackName).toBe(plan.stackName);
  });

  it('stops when a service answers with another identity than the template’s', async () => {
    // Prepare
    const { targets, calls } = recordingTargets({
      createQueue: (step) => ({ queueUrl: `http://127.0.0.1:4566/123456789012/${step.queueName}` }),
    });
    const firstQueue = plan.steps.findIndex((step) => step.kind === 'queue');

    // Act
    const outcome = applyPlan(plan, targets);

    // Assess
    await expect(outcome).rejects.toThrow(DeploymentMismatchError);
    await expect(outcome).rejects.toThrow(/123456789012/);
    expect(calls.length).toBe(plan.steps.slice(0, firstQueue).length);
  });

  it('refuses a secret ARN that is not the planned one plus a suffix', async () => {
    // Prepare
    const { targets } = recordingTargets({
      createSecret: () => ({ arn: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:other-AbCdEf' }),
    });

    // Assess
    await expect(applyPlan(plan, targets)).rejects.toThrow(/secret ARN .*other-AbCdEf/);
  });
});
