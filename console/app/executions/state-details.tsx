import type { ComponentChildren } from 'preact';
import { readableCause } from '../../shared/error-cause';
import { Time } from '../components/time';
import { formatDuration } from '../format';
import type { WorkflowGraph } from './definition-graph';
import { STATUS_WORDS } from './execution-graph';
import type { ExecutionRuns, StateVisit, TaskAttempt } from './state-runs';

/** JSON text indented for reading; anything else as it is. Shown as text, never as markup. */
export const prettyJson = (value: string): string => {
  try {
    return JSON.stringify(JSON.parse(value), null, 2);
  } catch {
    return value;
  }
};

const durationBetween = (from: string, to: string | undefined): string | undefined =>
  to === undefined ? undefined : formatDuration(Math.max(0, Date.parse(to) - Date.parse(from)));

/** A block of data (input, output, a cause): scrollable, focusable so a keyboard can scroll it. */
export const DataBlock = ({ label, value }: { label: string; value: string | undefined }) =>
  value === undefined ? null : (
    <div class="data-block">
      <h4>{label}</h4>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take focus to be scrolled by keyboard */}
      <pre class="data" tabIndex={0}>
        {prettyJson(value)}
      </pre>
    </div>
  );

/** An error and its cause: the readable message first, the whole cause (a Lambda envelope) below it. */
export const ErrorBlock = ({ error, cause }: { error: string | undefined; cause: string | undefined }) => {
  if (error === undefined && cause === undefined) return null;
  const message = readableCause(cause);
  return (
    <div class="notice notice-error state-error">
      <p>
        <strong>{error ?? 'Error'}</strong>
        {message ? `: ${message}` : null}
      </p>
      {cause !== undefined && message !== cause ? (
        <details>
          <summary>Whole cause</summary>
          <pre class="cause">{prettyJson(cause)}</pre>
        </details>
      ) : null}
    </div>
  );
};

const OUTCOME_WORDS: Readonly<Record<TaskAttempt['outcome'], string>> = {
  succeeded: 'succeeded',
  failed: 'failed',
  'timed-out': 'timed out',
  running: 'running',
};

const Attempts = ({ attempts }: { attempts: readonly TaskAttempt[] }) => (
  <ol class="attempts" aria-label="Attempts">
    {attempts.map((attempt) => {
      const took = durationBetween(attempt.startedAt, attempt.endedAt);
      return (
        <li key={attempt.number} class={`attempt attempt-${attempt.outcome}`}>
          <p class="attempt-line">
            <strong>Attempt {attempt.number}</strong> {OUTCOME_WORDS[attempt.outcome]}
            {took ? ` after ${took}` : ''} · <Time iso={attempt.startedAt} />
          </p>
          <ErrorBlock error={attempt.error} cause={attempt.cause} />
          {attempt.input !== undefined || attempt.output !== undefined ? (
            <details>
              <summary>Attempt {attempt.number}’s input and output</summary>
              {attempt.resource ? (
                <p class="muted break">
                  Resource: <code>{attempt.resource}</code>
                </p>
              ) : null}
              <DataBlock label={`Attempt ${attempt.number} input`} value={attempt.input} />
              <DataBlock label={`Attempt ${attempt.number} output`} value={attempt.output} />
            </details>
          ) : null}
        </li>
      );
    })}
  </ol>
);

const Visit = ({ visit, heading }: { visit: StateVisit; heading: ComponentChildren }) => (
  <section class="state-visit">
    {heading}
    <p class="muted">
      Entered <Time iso={visit.enteredAt} />
      {visit.exitedAt ? ` · took ${durationBetween(visit.enteredAt, visit.exitedAt)}` : ''}
    </p>
    <ErrorBlock error={visit.error} cause={visit.cause} />
    <DataBlock label="Input" value={visit.input} />
    <DataBlock label="Output" value={visit.output} />
    {visit.attempts.length > 0 ? (
      <>
        <h4>
          {visit.attempts.length === 1 ? '1 attempt' : `${visit.attempts.length} attempts`}
          {visit.attempts.length > 1 ? ` (${visit.attempts.length - 1} retried)` : ''}
        </h4>
        <Attempts attempts={visit.attempts} />
      </>
    ) : null}
  </section>
);

/**
 * The selected state: what it is in the definition (its Retry and Catch rules), and each visit of it
 * in this execution with its input, output, error and cause, and every attempt.
 */
export const StateDetails = ({
  graph,
  runs,
  name,
}: {
  graph: WorkflowGraph;
  runs: ExecutionRuns | undefined;
  name: string | undefined;
}) => {
  if (name === undefined) {
    return (
      <p class="muted">
        Select a state in the graph (click it, or Tab to it and press Enter) to see its input, output, error
        and attempts.
      </p>
    );
  }
  const node = graph.byName.get(name);
  const visits = runs?.visits.filter((visit) => visit.name === name) ?? [];
  const last = visits.at(-1);
  const status = last?.status ?? 'not-entered';
  const rules = graph.edges.filter(
    (edge) => edge.source === node?.id && (edge.kind === 'retry' || edge.kind === 'catch'),
  );
  return (
    <div class="state-details" aria-live="polite">
      <h3 class="state-title">
        <span class="break">{name}</span>{' '}
        <span class={`status state-status state-${status}`}>{STATUS_WORDS[status]}</span>
      </h3>
      <p class="muted">
        {node?.type ?? 'State'}
        {node?.detail ? ` · ${node.detail}` : ''}
      </p>
      {node?.resource ? (
        <p class="muted break">
          Resource: <code>{node.resource}</code>
        </p>
      ) : null}
      {node?.comment ? <p class="state-comment">{node.comment}</p> : null}
      {rules.length > 0 ? (
        <ul class="state-rules">
          {rules.map((edge) => (
            <li key={edge.id}>
              <strong>{edge.kind === 'retry' ? 'Retry' : 'Catch'}</strong>{' '}
              {edge.kind === 'catch'
                ? `${edge.description ?? ''} → ${nameOfTarget(graph, edge.target)}`
                : edge.description}
            </li>
          ))}
        </ul>
      ) : null}
      {visits.length === 0 ? <p>This execution did not enter this state.</p> : null}
      {visits.map((visit, index) => (
        <Visit
          key={`${visit.enteredAt}-${index}`}
          visit={visit}
          heading={visits.length > 1 ? <h4>Visit {index + 1}</h4> : null}
        />
      ))}
    </div>
  );
};

const nameOfTarget = (graph: WorkflowGraph, id: string): string => {
  for (const [name, node] of graph.byName) if (node.id === id) return name;
  return id;
};
