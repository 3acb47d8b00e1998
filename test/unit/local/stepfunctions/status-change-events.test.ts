import { afterEach, describe, expect, it } from 'vitest';
import type { ExecutionRecord } from '../../../../local/stepfunctions/execution-store';
import { createLocalStepFunctions, type LocalStepFunctions } from '../../../../local/stepfunctions/service';
import {
  type ExecutionEventSink,
  statusChangeDetail,
} from '../../../../local/stepfunctions/status-change-events';

const FN = 'arn:aws:lambda:us-east-1:000000000000:function:work';
const MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:events';
const unusedEndpoints = { dynamodb: 'http://127.0.0.1:9', sqs: 'http://127.0.0.1:9' };

type Put = Parameters<ExecutionEventSink['put']>[0];

const services: LocalStepFunctions[] = [];
afterEach(async () => {
  await Promise.all(services.splice(0).map((service) => service.stop()));
});

/** A local Step Functions whose `work` function fails while `failing.now` is set, and whose events are kept. */
const serviceWithSink = () => {
  const events: Put[] = [];
  const failing = { now: false };
  const service = createLocalStepFunctions({
    invokeLambda: async (_arn, payload) => {
      if ((payload as { hang?: boolean }).hang) return new Promise(() => undefined);
      if (failing.now) throw Object.assign(new Error('the work failed'), { name: 'WorkError' });
      return { done: true };
    },
    endpoints: unusedEndpoints,
    events: { put: (entry) => void events.push(entry) },
  });
  services.push(service);
  service.registerStateMachine({
    name: 'events',
    definition: { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: FN, End: true } } },
  });
  const start = async (name: string, input: object): Promise<string> => {
    const { executionArn } = (await service.api.call('StartExecution', {
      stateMachineArn: MACHINE,
      name,
      input: JSON.stringify(input),
    })) as { executionArn: string };
    return executionArn;
  };
  return { service, events, failing, start };
};

const details = (events: readonly Put[]) => events.map((event) => event.detail as Record<string, unknown>);

describe('the local Step Functions’ status change events', () => {
  it('sends RUNNING when an execution starts and SUCCEEDED when it ends, shaped as Step Functions sends them', async () => {
    // Prepare
    const { service, events, start } = serviceWithSink();

    // Act
    const executionArn = await start('ok', { documentId: 'd1' });
    await service.settled(executionArn);

    // Assess
    expect(events.map(({ source, detailType, resources }) => ({ source, detailType, resources }))).toEqual([
      {
        source: 'aws.states',
        detailType: 'Step Functions Execution Status Change',
        resources: [executionArn],
      },
      {
        source: 'aws.states',
        detailType: 'Step Functions Execution Status Change',
        resources: [executionArn],
      },
    ]);
    const [running, succeeded] = details(events);
    expect(running).toEqual({
      executionArn,
      stateMachineArn: MACHINE,
      name: 'ok',
      status: 'RUNNING',
      startDate: expect.any(Number),
      stopDate: null,
      input: '{"documentId":"d1"}',
      inputDetails: { included: true },
      output: null,
      outputDetails: null,
      error: null,
      cause: null,
      redriveCount: 0,
      redriveDate: null,
      redriveStatus: 'NOT_REDRIVABLE',
      redriveStatusReason: 'Execution is RUNNING and cannot be redriven',
    });
    expect(succeeded).toMatchObject({
      status: 'SUCCEEDED',
      startDate: running?.startDate,
      stopDate: expect.any(Number),
      output: '{"done":true}',
      outputDetails: { included: true },
      error: null,
      cause: null,
    });
    expect(events[1]?.time.getTime()).toBe(succeeded?.stopDate);
  });

  it('sends FAILED with the error, then RUNNING with the redrive count when redriven, then the new outcome', async () => {
    // Prepare
    const { service, events, failing, start } = serviceWithSink();
    failing.now = true;
    const executionArn = await start('redriven', {});
    await service.settled(executionArn);
    failing.now = false;

    // Act
    await service.api.call('RedriveExecution', { executionArn });
    await service.settled(executionArn);

    // Assess
    expect(details(events).map((detail) => [detail.status, detail.redriveCount, detail.error])).toEqual([
      ['RUNNING', 0, null],
      ['FAILED', 0, 'WorkError'],
      ['RUNNING', 1, null],
      ['SUCCEEDED', 1, null],
    ]);
    const [, failed, redriven] = details(events);
    expect(failed).toMatchObject({
      output: null,
      outputDetails: null,
      redriveStatus: 'REDRIVABLE',
      cause: expect.any(String),
    });
    expect(redriven).toMatchObject({ stopDate: null, redriveDate: expect.any(Number) });
  });

  it('sends ABORTED with the stop’s error and cause', async () => {
    // Prepare
    const { service, events, start } = serviceWithSink();
    const executionArn = await start('stopped', { hang: true });

    // Act
    await service.api.call('StopExecution', { executionArn, error: 'Operator', cause: 'stopped by hand' });
    await service.settled(executionArn);

    // Assess
    expect(details(events).map((detail) => [detail.status, detail.error, detail.cause])).toEqual([
      ['RUNNING', null, null],
      ['ABORTED', 'Operator', 'stopped by hand'],
    ]);
  });
});

describe('statusChangeDetail', () => {
  const execution: ExecutionRecord = {
    seq: 1,
    executionArn: 'arn:aws:states:us-east-1:000000000000:execution:m:e',
    stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:m',
    stateMachineName: 'm',
    name: 'e',
    definitionHash: 'h',
    roleArn: 'r',
    status: 'SUCCEEDED',
    input: '{}',
    startDate: 1,
    stopDate: 2,
    redriveCount: 0,
    lastEventId: 3,
  };

  it('leaves out an output over 248 KB escaped, and the input when both together are', () => {
    // Prepare
    const big = JSON.stringify({ text: 'x'.repeat(200 * 1024) });

    // Act
    const hugeOutput = statusChangeDetail({
      ...execution,
      output: JSON.stringify({ text: 'x'.repeat(250 * 1024) }),
    });
    const together = statusChangeDetail({ ...execution, input: big, output: big });

    // Assess
    expect(hugeOutput).toMatchObject({
      output: null,
      outputDetails: { included: false },
      input: '{}',
      inputDetails: { included: true },
    });
    expect(together).toMatchObject({
      output: big,
      outputDetails: { included: true },
      input: null,
      inputDetails: { included: false },
    });
  });
});
