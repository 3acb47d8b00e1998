import { useMemo } from 'preact/hooks';
import { ErrorNotice } from '../components/error-notice';
import { Field } from '../components/field';
import { LiveUpdated, PollError } from '../components/live-status';
import { PageHeading } from '../components/page-heading';
import { StatusBadge } from '../components/status-badge';
import { Time } from '../components/time';
import { useConsole } from '../context';
import { type WorkflowGraph, workflowGraphOf } from '../executions/definition-graph';
import { EventHistory } from '../executions/event-history';
import { ExecutionDocumentName } from '../executions/execution-document';
import { ExecutionGraph, GraphLegend } from '../executions/execution-graph';
import { DataBlock, ErrorBlock, StateDetails } from '../executions/state-details';
import { executionRunsOf } from '../executions/state-runs';
import { TraceWaterfall } from '../executions/trace-waterfall';
import { useExecution } from '../executions/use-execution';
import { formatDuration } from '../format';
import { href, navigate, segment } from '../router';
import type { PageProps } from '../routes';
import '../executions/executions.css';

/**
 * One execution, as the Step Functions console shows it: the graph of the definition it ran with each
 * state coloured by what happened, the selected state's input, output, error and attempts, the event
 * history, and its X-Ray trace as a waterfall. Live while it runs.
 */
export const ExecutionPage = ({ params, query }: PageProps) => {
  const { client, config } = useConsole();
  const arn = params.arn ?? '';
  const view = useExecution(client, arn, config.pollIntervalMs);
  const { detail, definition, history } = view;
  const { graph, graphError } = useMemo((): { graph?: WorkflowGraph; graphError?: unknown } => {
    if (!definition) return {};
    try {
      return { graph: workflowGraphOf(definition.definition) };
    } catch (error) {
      return { graphError: error };
    }
  }, [definition]);
  const runs = useMemo(() => (history ? executionRunsOf(history.events) : undefined), [history]);
  const selected = query.get('state') ?? undefined;
  const select = (state: string): void =>
    navigate(href(`/executions/${segment(arn)}`, { state }), { replace: true });
  const name = detail?.name ?? arn.split(':').at(-1) ?? arn;
  const document = detail?.document;
  const stopped = detail?.stopDate;

  return (
    <>
      <p class="back">
        <a href={href('/executions')}>← All executions</a>
      </p>
      <PageHeading title={name}>
        {detail ? <StatusBadge status={detail.status} /> : null}
        {detail?.status === 'RUNNING' && view.updatedAt ? <LiveUpdated updatedAt={view.updatedAt} /> : null}
      </PageHeading>
      <PollError error={view.error} shown={detail !== undefined} what="the execution" />
      {!detail && !view.error ? <p class="muted">Loading…</p> : null}
      {detail ? (
        <dl class="metadata execution-summary">
          <Field label="Document">
            <ExecutionDocumentName document={document} />
            {document?.key ? <span class="key">{document.key}</span> : null}
          </Field>
          <Field label="Started">
            <Time iso={detail.startDate} />
          </Field>
          <Field label="Duration">
            {formatDuration(
              Math.max(0, Date.parse(stopped ?? new Date().toISOString()) - Date.parse(detail.startDate)),
            )}
            {stopped ? '' : ' so far'}
          </Field>
          {detail.redriveCount ? (
            <Field label="Redrives">
              {detail.redriveCount} (last <Time iso={detail.redriveDate} />)
            </Field>
          ) : null}
          <Field label="Execution ARN">
            <code class="break">{arn}</code>
          </Field>
        </dl>
      ) : null}
      {detail?.error || detail?.cause ? <ErrorBlock error={detail.error} cause={detail.cause} /> : null}
      {detail?.status === 'FAILED' ? (
        <p>
          A failed run leaves its document in <a href={href('/failed')}>Failed documents</a>, where it can be
          run again.
        </p>
      ) : null}

      <section aria-labelledby="graph-heading">
        <h2 id="graph-heading">Graph</h2>
        {graphError ? <ErrorNotice error={graphError} prefix="Cannot draw the definition" /> : null}
        {graph ? (
          <div class="execution-graph-layout">
            <div class="graph-panel">
              <ExecutionGraph graph={graph} runs={runs} selected={selected} onSelect={select} />
              <GraphLegend />
            </div>
            <section class="state-panel" aria-label="Selected state">
              <StateDetails graph={graph} runs={runs} name={selected} />
            </section>
          </div>
        ) : null}
        {!definition && !view.error ? <p class="muted">Loading the definition…</p> : null}
      </section>

      {detail ? (
        <section aria-labelledby="io-heading">
          <h2 id="io-heading">Execution input and output</h2>
          <div class="io-grid">
            <DataBlock label="Execution input" value={detail.input} />
            <DataBlock label="Execution output" value={detail.output} />
          </div>
        </section>
      ) : null}

      <section aria-labelledby="history-heading">
        <h2 id="history-heading">Event history</h2>
        {history ? <EventHistory events={history.events} /> : <p class="muted">Loading…</p>}
      </section>

      <section aria-labelledby="trace-heading">
        <h2 id="trace-heading">Trace</h2>
        {view.traceError ? <ErrorNotice error={view.traceError} prefix="Could not read the trace" /> : null}
        {view.trace ? <TraceWaterfall trace={view.trace} /> : null}
        {view.trace === null ? (
          <p class="muted">
            {detail?.status === 'RUNNING'
              ? 'X-Ray has no trace of this execution yet.'
              : 'X-Ray has no trace of this execution (the state machine may not be traced, or the trace expired).'}
          </p>
        ) : null}
        {view.trace === undefined && !view.traceError ? <p class="muted">Loading…</p> : null}
      </section>
    </>
  );
};
