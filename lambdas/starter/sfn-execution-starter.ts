import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { StartResult } from './start-documents';

/** StartExecution rejects a longer trace header with a ValidationException. */
const TRACE_HEADER_MAX_LENGTH = 256;

/**
 * Starts executions of one state machine through the Step Functions API, continuing the trace that
 * `traceHeader` names (`TracedExecutionStarter` gives each document run a trace of its own).
 */
export class SfnExecutionStarter {
  readonly #sfn: SFNClient;
  readonly #stateMachineArn: string;

  constructor(sfn: SFNClient, stateMachineArn: string) {
    this.#sfn = sfn;
    this.#stateMachineArn = stateMachineArn;
  }

  async start(name: string, input: string, traceHeader?: string): Promise<StartResult> {
    try {
      const { executionArn } = await this.#sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.#stateMachineArn,
          name,
          input,
          traceHeader: usableTraceHeader(traceHeader),
        }),
      );
      return { status: 'started', executionArn: executionArn ?? executionArnOf(this.#stateMachineArn, name) };
    } catch (error) {
      // Standard workflows answer a repeated name with ExecutionAlreadyExists once the first
      // execution has finished or when the input differs (same name and input while it runs is a 200).
      if (
        error instanceof ExecutionAlreadyExists ||
        (error instanceof Error && error.name === 'ExecutionAlreadyExists')
      ) {
        return { status: 'already-exists', executionArn: executionArnOf(this.#stateMachineArn, name) };
      }
      throw error;
    }
  }
}

/** `arn:…:stateMachine:<machine>` + name → `arn:…:execution:<machine>:<name>`, for logs. */
export const executionArnOf = (stateMachineArn: string, name: string): string =>
  `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;

/**
 * A trace header the API accepts, or none: losing the link to the upstream trace is better than
 * failing the start and, after five receives, sending the notification to the DLQ.
 */
const usableTraceHeader = (traceHeader: string | undefined): string | undefined =>
  traceHeader !== undefined &&
  traceHeader !== '' &&
  traceHeader.length <= TRACE_HEADER_MAX_LENGTH &&
  /^[\x20-\x7E]*$/.test(traceHeader)
    ? traceHeader
    : undefined;
