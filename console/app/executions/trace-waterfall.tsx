import type { Trace } from '../../shared/api';
import { readTraceDocuments } from '../../shared/trace-entities';
import {
  buildTraceTree,
  type Span,
  spanCallName,
  spanFlag,
  spanProblem,
  spansOf,
  type TraceTree,
  traceProblems,
} from '../../shared/trace-tree';
import { formatDuration } from '../format';

/** The tree `docflow trace` draws, built by the same module (console/shared/trace-tree.ts). */
export const traceTreeOf = (trace: Trace): TraceTree =>
  buildTraceTree(
    readTraceDocuments(
      trace.id,
      trace.segments.map((segment) => segment.document),
    ),
  );

const TAGS: Partial<Record<Span['kind'], string>> = {
  'state-machine': 'state machine',
  state: 'state',
  lambda: 'Lambda',
  function: 'function',
  'function-phase': 'phase',
  handler: 'handler',
  'aws-call': 'AWS call',
  'remote-call': 'HTTP call',
};

/** A row's failure is cut here (its whole text is in the tooltip and in the list above the table). */
const MARK_LENGTH = 90;

const plural = (count: number, one: string, many = `${one}s`): string =>
  `${count} ${count === 1 ? one : many}`;

const Marks = ({ span }: { span: Span }) => {
  const { entity } = span;
  const flag = spanFlag(span);
  const problem = spanProblem(span);
  const verdict =
    span.kind === 'handler'
      ? [entity.annotations.status, entity.annotations.reason]
          .filter((value) => value !== undefined)
          .map(String)
          .join(' ')
      : '';
  return (
    <>
      {span.attempts ? <span class="mark mark-retry">{span.attempts} attempts</span> : null}
      {span.coldStart ? <span class="mark mark-cold">cold start</span> : null}
      {verdict ? <span class="mark">{verdict}</span> : null}
      {entity.sdkAttempts > 1 ? <span class="mark mark-retry">{entity.sdkAttempts} SDK attempts</span> : null}
      {flag ? (
        <span class={`mark mark-${flag}`} title={problem}>
          ✗ {flag}
          {problem
            ? ` ${problem.length > MARK_LENGTH ? `${problem.slice(0, MARK_LENGTH - 1)}…` : problem}`
            : ''}
        </span>
      ) : null}
      {entity.inProgress ? <span class="mark">in progress</span> : null}
    </>
  );
};

const barClass = (span: Span): string => {
  const flag = spanFlag(span);
  if (flag) return `bar bar-${flag}`;
  if (span.kind === 'state-machine' || span.kind === 'state' || span.kind === 'attempt')
    return 'bar bar-machine';
  if (span.kind === 'lambda' || span.kind === 'function' || span.kind === 'function-phase') {
    return 'bar bar-lambda';
  }
  if (span.kind === 'aws-call' || span.kind === 'remote-call') return 'bar bar-call';
  return 'bar';
};

/**
 * An X-Ray trace as a waterfall: one row per segment and subsegment, as a tree, with its start, its
 * duration and a bar on the trace's time axis; retries, cold starts and failures marked in words.
 */
export const TraceWaterfall = ({ trace }: { trace: Trace }) => {
  const tree = traceTreeOf(trace);
  const rows = spansOf(tree);
  const total = Math.max(tree.end - tree.start, 0);
  const { facts } = tree;
  const problems = traceProblems(tree);
  if (rows.length === 0) return <p class="muted">The trace has no readable segments yet.</p>;
  return (
    <>
      <p class="trace-facts">
        <code>{tree.id}</code> · {formatDuration(facts.durationMs)}
        {facts.inProgress ? ' so far' : ''} · {plural(facts.segments, 'segment')} ·{' '}
        {plural(facts.errors, 'error')} · {plural(facts.faults, 'fault')} ·{' '}
        {plural(facts.retries, 'retry', 'retries')}
        {facts.coldStarts > 0 ? ` · ${plural(facts.coldStarts, 'cold start')}` : ''}
      </p>
      {problems.length > 0 ? (
        <ul class="trace-problems notice notice-error" aria-label="Errors in the trace">
          {problems.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      ) : null}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take focus to be scrolled by keyboard */}
      <section class="table-scroll" tabIndex={0} aria-label="Trace waterfall, scrollable">
        <table class="waterfall">
          <caption class="visually-hidden">Trace segments on one time axis, as a tree</caption>
          <thead>
            <tr>
              <th scope="col">Segment</th>
              <th scope="col" class="numeric">
                Start
              </th>
              <th scope="col" class="numeric">
                Duration
              </th>
              <th scope="col" class="waterfall-axis">
                <span>0</span>
                <span>{formatDuration((total * 1000) / 2)}</span>
                <span>{formatDuration(total * 1000)}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((span) => {
              const { entity } = span;
              const name =
                span.kind === 'aws-call' || span.kind === 'attempt' ? spanCallName(span) : entity.name;
              const tag = span.attempt
                ? `attempt ${span.attempt.number}/${span.attempt.of}`
                : TAGS[span.kind];
              const from = total === 0 ? 0 : (entity.startTime - tree.start) / total;
              const to = total === 0 ? 1 : ((entity.endTime ?? tree.end) - tree.start) / total;
              return (
                <tr key={entity.id} class={`span-${span.kind}`}>
                  <th
                    scope="row"
                    class="waterfall-name"
                    style={{ paddingLeft: `${0.5 + span.depth * 0.9}rem` }}
                  >
                    <span class="span-name">{name}</span>
                    {tag ? <span class="span-tag"> · {tag}</span> : null}
                    <span class="span-marks">
                      <Marks span={span} />
                    </span>
                  </th>
                  <td class="numeric nowrap">+{formatDuration((entity.startTime - tree.start) * 1000)}</td>
                  <td class="numeric nowrap">
                    {entity.endTime === undefined
                      ? '…'
                      : formatDuration((entity.endTime - entity.startTime) * 1000)}
                  </td>
                  <td class="waterfall-track" aria-hidden="true">
                    <span
                      class={`${barClass(span)}${entity.inProgress ? ' bar-open' : ''}`}
                      style={{
                        left: `${(from * 100).toFixed(2)}%`,
                        width: `max(2px, ${((to - from) * 100).toFixed(2)}%)`,
                      }}
                    />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
    </>
  );
};
