import { describe, expect, it } from 'vitest';
import type { StartResult } from '../../../../lambdas/starter/start-documents';
import {
  type HeaderedExecutionStarter,
  TracedExecutionStarter,
} from '../../../../lambdas/starter/traced-execution-starter';

const EXECUTION_ARN = 'arn:aws:states:eu-west-1:123456789012:execution:docflow-pipeline:report-pdf-abc';

/** Records what reaches the Step Functions adapter and answers as it would. */
class RecordingStarter implements HeaderedExecutionStarter {
  readonly calls: { name: string; input: string; traceHeader: string | undefined }[] = [];

  constructor(private readonly answer: StartResult['status']) {}

  async start(name: string, input: string, traceHeader?: string): Promise<StartResult> {
    this.calls.push({ name, input, traceHeader });
    return { status: this.answer, executionArn: EXECUTION_ARN };
  }
}

describe('TracedExecutionStarter', () => {
  it('starts each execution with a header that begins a new sampled trace, and says which', async () => {
    // Prepare
    const executions = new RecordingStarter('started');
    const ids = ['1-6740f2a1-5f0c1d2e3f4a5b6c7d8e9f01', '1-6740f2a2-00112233445566778899aabb'];
    const starter = new TracedExecutionStarter(executions, () => ids.shift() ?? '');

    // Act
    const first = await starter.start({ name: 'a-pdf-1', input: '{"document":{}}', documentId: 'doc-a' });
    const second = await starter.start({ name: 'b-pdf-2', input: '{}', documentId: 'doc-b' });

    // Assess
    expect(executions.calls).toEqual([
      {
        name: 'a-pdf-1',
        input: '{"document":{}}',
        traceHeader: 'Root=1-6740f2a1-5f0c1d2e3f4a5b6c7d8e9f01;Sampled=1',
      },
      { name: 'b-pdf-2', input: '{}', traceHeader: 'Root=1-6740f2a2-00112233445566778899aabb;Sampled=1' },
    ]);
    expect(first).toEqual({
      status: 'started',
      executionArn: EXECUTION_ARN,
      traceId: '1-6740f2a1-5f0c1d2e3f4a5b6c7d8e9f01',
    });
    expect(second).toMatchObject({ traceId: '1-6740f2a2-00112233445566778899aabb' });
  });

  it('makes a trace id of X-Ray’s shape, filed under the current time, by default', async () => {
    // Prepare
    const executions = new RecordingStarter('started');
    const starter = new TracedExecutionStarter(executions);
    const before = Math.floor(Date.now() / 1000);

    // Act
    const result = await starter.start({ name: 'a-pdf-1', input: '{}', documentId: 'doc-a' });

    // Assess
    const traceId = result.status === 'started' ? (result.traceId ?? '') : '';
    expect(traceId).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(Number.parseInt(traceId.slice(2, 10), 16)).toBeGreaterThanOrEqual(before);
    expect(Number.parseInt(traceId.slice(2, 10), 16)).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });

  it('claims no trace for a start whose execution exists already', async () => {
    // Prepare
    const starter = new TracedExecutionStarter(new RecordingStarter('already-exists'));

    // Act
    const result = await starter.start({ name: 'a-pdf-1', input: '{}', documentId: 'doc-a' });

    // Assess
    expect(result).toEqual({ status: 'already-exists', executionArn: EXECUTION_ARN });
  });
});
