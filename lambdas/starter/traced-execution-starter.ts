import { inSubsegment } from '../shared/runtime/powertools';
import { newTraceHeader, newTraceId } from '../shared/runtime/trace-id';
import type { ExecutionRequest, ExecutionStarter, StartResult } from './start-documents';

/** Starts an execution by name, continuing the trace a header names (the Step Functions adapter). */
export interface HeaderedExecutionStarter {
  start(name: string, input: string, traceHeader?: string): Promise<StartResult>;
}

/**
 * One trace per document run (docs/decisions.md 32): each execution is started in a new, sampled trace,
 * so the trace of a document's run holds that run and nothing else, and `annotation.documentId` finds it
 * in one query. The starter's own trace keeps the link: one subsegment per start, `start <name>`,
 * annotated `startedDocumentId` and, once the execution has started, `executionTraceId`. (Not
 * `documentId`: that query is to return the runs only.) A duplicate start gets no `executionTraceId`:
 * the trace begun for it holds nothing; the execution that exists already has its own.
 */
export class TracedExecutionStarter implements ExecutionStarter {
  readonly #executions: HeaderedExecutionStarter;
  readonly #newTraceId: () => string;

  constructor(executions: HeaderedExecutionStarter, traceIds: () => string = () => newTraceId()) {
    this.#executions = executions;
    this.#newTraceId = traceIds;
  }

  start({ name, input, documentId }: ExecutionRequest): Promise<StartResult> {
    return inSubsegment(`start ${name}`, async (annotate) => {
      annotate({ startedDocumentId: documentId });
      const traceId = this.#newTraceId();
      const result = await this.#executions.start(name, input, newTraceHeader(traceId));
      if (result.status !== 'started') return result;
      annotate({ executionTraceId: traceId });
      return { ...result, traceId };
    });
  }
}
