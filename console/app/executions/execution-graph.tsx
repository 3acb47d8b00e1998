import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ErrorNotice } from '../components/error-notice';
import type { EdgeKind, GraphNode, WorkflowGraph } from './definition-graph';
import { type GraphLayout, layoutWorkflowGraph, type PlacedNode, type TextMeasure } from './graph-layout';
import { type ExecutionRuns, type StateStatus, transitionKey } from './state-runs';

/** The words for each status: the colour only helps, the word says it. */
export const STATUS_WORDS: Readonly<Record<StateStatus, string>> = {
  succeeded: 'Succeeded',
  retried: 'Succeeded after retries',
  caught: 'Caught error',
  failed: 'Failed',
  aborted: 'Cancelled',
  'in-progress': 'In progress',
  'not-entered': 'Not entered',
};

const EDGE_WORDS: Readonly<Record<EdgeKind, string>> = {
  start: 'start',
  next: 'Next',
  choice: 'Choice rule',
  default: 'Choice default',
  catch: 'Catch',
  retry: 'Retry',
  end: 'end',
};

const FONTS = { name: '600 13px', detail: '12px', label: '11px' } as const;

/** Text widths in the page's own font (the layout needs node and label sizes before drawing). */
const canvasMeasure = (): TextMeasure => {
  const context = document.createElement('canvas').getContext('2d');
  const family = getComputedStyle(document.documentElement).fontFamily || 'sans-serif';
  return (text, font) => {
    if (!context) return text.length * 7.5;
    context.font = `${FONTS[font]} ${family}`;
    return Math.ceil(context.measureText(text).width);
  };
};

export interface ExecutionGraphProps {
  readonly graph: WorkflowGraph;
  readonly runs: ExecutionRuns | undefined;
  readonly selected: string | undefined;
  readonly onSelect: (stateName: string) => void;
}

const statusOf = (runs: ExecutionRuns | undefined, node: GraphNode): StateStatus =>
  runs?.lastVisit.get(node.name)?.status ?? 'not-entered';

const selectable = (placed: PlacedNode): boolean =>
  placed.node.type !== 'Branch' && placed.node.type !== 'Start' && placed.node.type !== 'End';

/** Between a state's box and its focus ring, as `outline-offset` leaves around other controls. */
const FOCUS_GAP = 5;

/** Stable tab order: top to bottom, then left to right. */
const readingOrder = (left: PlacedNode, right: PlacedNode): number => left.y - right.y || left.x - right.x;

const StateBox = ({
  placed,
  status,
  attempts,
  selected,
  onSelect,
}: {
  placed: PlacedNode;
  status: StateStatus;
  attempts: number;
  selected: boolean;
  onSelect: () => void;
}) => {
  const { node, x, y, width, height, group } = placed;
  const words = `${node.name}: ${node.type}, ${STATUS_WORDS[status]}${attempts > 1 ? `, ${attempts} attempts` : ''}`;
  const detail = `${node.type}${node.detail ? ` · ${node.detail}` : ''}`;
  return (
    // biome-ignore lint/a11y/useSemanticElements: an SVG group cannot be a <button>; it takes its role and keys
    <g
      class={`graph-state state-${status}${group ? ' graph-state-group' : ''}${selected ? ' selected' : ''}`}
      transform={`translate(${x} ${y})`}
      role="button"
      // Lowercase: SVG attributes are case-sensitive, and Preact sets them as written.
      tabindex={0}
      aria-pressed={selected}
      aria-label={words}
      data-state={node.name}
      onClick={onSelect}
      onKeyDown={(event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          onSelect();
        }
      }}
    >
      <title>{node.comment ? `${words}\n${node.comment}` : words}</title>
      <rect
        class="graph-focus-ring"
        x={-FOCUS_GAP}
        y={-FOCUS_GAP}
        width={width + 2 * FOCUS_GAP}
        height={height + 2 * FOCUS_GAP}
        rx={(group ? 10 : 8) + FOCUS_GAP}
      />
      <rect class="graph-state-box" width={width} height={height} rx={group ? 10 : 8} />
      {group ? (
        <>
          <rect class="graph-state-header" width={width} height={28} rx={10} />
          <text class="graph-name" x={12} y={18}>
            {node.name}
          </text>
          <text class="graph-detail" x={width - 12} y={18} text-anchor="end">
            {node.type}
          </text>
        </>
      ) : (
        <>
          <text class="graph-name" x={width / 2} y={20} text-anchor="middle">
            {node.name}
          </text>
          <text class="graph-detail" x={width / 2} y={37} text-anchor="middle">
            {detail}
          </text>
        </>
      )}
      {attempts > 1 ? (
        <g class="graph-badge" transform={`translate(${width - 14} -8)`}>
          <circle r={11} cx={0} cy={8} />
          <text x={0} y={12} text-anchor="middle">
            ×{attempts}
          </text>
        </g>
      ) : null}
    </g>
  );
};

/**
 * The execution's graph, as the Step Functions console draws it: the deployed definition laid out by
 * ELK, each state coloured and labelled by what happened to it in this execution, the path taken
 * drawn bold. A state is selected by click, Enter or Space; Tab goes from state to state.
 */
export const ExecutionGraph = ({ graph, runs, selected, onSelect }: ExecutionGraphProps) => {
  const [layout, setLayout] = useState<GraphLayout>();
  const [fit, setFit] = useState(true);
  const scroller = useRef<HTMLDivElement>(null);
  // Fitted, a wide graph would be too small to read: it is shown at its size, scrolled to its start.
  useEffect(() => {
    const box = scroller.current;
    if (!layout || !box) return;
    const readable = box.clientWidth >= layout.width * 0.75;
    setFit(readable);
    if (!readable) {
      const start = layout.nodes.find((placed) => placed.node.type === 'Start');
      if (start) box.scrollLeft = Math.max(0, start.x + start.width / 2 - box.clientWidth / 2);
    }
  }, [layout]);
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    let current = true;
    setLayout(undefined);
    layoutWorkflowGraph(graph, canvasMeasure()).then(
      (laid) => current && setLayout(laid),
      (failure: unknown) => current && setError(failure),
    );
    return () => {
      current = false;
    };
  }, [graph]);
  const taken = runs?.taken;
  const nameOf = useMemo(() => {
    const names = new Map<string, string>();
    for (const [name, node] of graph.byName) names.set(node.id, name);
    names.set('Start', 'Start');
    names.set('End', 'End');
    return names;
  }, [graph]);

  if (error) return <ErrorNotice error={error} prefix="Could not lay out the graph" />;
  if (!layout) return <p class="muted graph-loading">Laying out the graph…</p>;

  const isTaken = (kind: EdgeKind, source: string, target: string): boolean => {
    if (!taken) return false;
    const from = nameOf.get(source) ?? '';
    const to = nameOf.get(target) ?? '';
    if (kind === 'retry') return (runs?.lastVisit.get(from)?.attempts.length ?? 0) > 1;
    if (!taken.has(transitionKey(from, to))) return false;
    // Of a Next and a Catch to the same state, the one the state's outcome took.
    const caught = runs?.lastVisit.get(from)?.status === 'caught';
    return kind === 'catch' ? caught : !caught || kind === 'start' || kind === 'end';
  };
  const groups = layout.nodes.filter((placed) => placed.group);
  // States and groups' headers in reading order: the order Tab takes, above the edges.
  const states = layout.nodes.filter((placed) => placed.node.type !== 'Branch');
  return (
    <div class={`graph-scroll${fit ? ' graph-fit' : ''}`} ref={scroller}>
      <div class="graph-tools">
        <button type="button" class="button-secondary" aria-pressed={fit} onClick={() => setFit(!fit)}>
          {fit ? 'Actual size' : 'Fit to width'}
        </button>
      </div>
      {/* biome-ignore lint/a11y/useSemanticElements: an SVG drawing of buttons is grouped with a role, not a fieldset */}
      <svg
        class="graph"
        width={fit ? undefined : layout.width}
        height={fit ? undefined : layout.height}
        style={fit ? { maxWidth: `${layout.width}px` } : undefined}
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        role="group"
        aria-label="Workflow graph of this execution"
      >
        <defs>
          {(['next', 'catch', 'retry', 'taken'] as const).map((kind) => (
            <marker
              key={kind}
              id={`arrow-${kind}`}
              class={`arrow arrow-${kind}`}
              viewBox="0 0 10 10"
              refX={9}
              refY={5}
              markerWidth={7}
              markerHeight={7}
              orient="auto-start-reverse"
            >
              <path d="M0 0 L10 5 L0 10 z" />
            </marker>
          ))}
        </defs>
        {groups.map((placed) =>
          placed.node.type === 'Branch' ? (
            <g key={placed.node.id} class="graph-branch" transform={`translate(${placed.x} ${placed.y})`}>
              <rect width={placed.width} height={placed.height} rx={8} />
              <text x={10} y={18}>
                {placed.node.name}
              </text>
            </g>
          ) : (
            // The group's fill, under its states; its outline and header are drawn with the states.
            <rect
              key={placed.node.id}
              class={`graph-group-body state-${statusOf(runs, placed.node)}`}
              x={placed.x}
              y={placed.y}
              width={placed.width}
              height={placed.height}
              rx={10}
            />
          ),
        )}
        {layout.edges.map(({ edge, path, label }) => {
          const on = isTaken(edge.kind, edge.source, edge.target);
          const marker = on ? 'taken' : edge.kind === 'catch' || edge.kind === 'retry' ? edge.kind : 'next';
          return (
            <g key={edge.id} class={`graph-edge edge-${edge.kind}${on ? ' taken' : ''}`}>
              <title>
                {`${EDGE_WORDS[edge.kind]}${edge.description ? `: ${edge.description}` : ''}${on ? ' (taken)' : ''}`}
              </title>
              <path d={path} marker-end={`url(#arrow-${marker})`} />
              {label && edge.label ? (
                <g class="edge-label" transform={`translate(${label.x} ${label.y})`}>
                  <rect width={label.width} height={label.height} rx={3} />
                  <text x={label.width / 2} y={label.height - 4} text-anchor="middle">
                    {edge.label}
                  </text>
                </g>
              ) : null}
            </g>
          );
        })}
        {states.toSorted(readingOrder).map((placed) =>
          selectable(placed) ? (
            <StateBox
              key={placed.node.id}
              placed={placed}
              status={statusOf(runs, placed.node)}
              attempts={runs?.lastVisit.get(placed.node.name)?.attempts.length ?? 0}
              selected={selected === placed.node.name}
              onSelect={() => onSelect(placed.node.name)}
            />
          ) : (
            <g
              key={placed.node.id}
              class={`graph-mark${placed.node.type === 'Start' || runs?.ended ? ' reached' : ''}`}
              transform={`translate(${placed.x} ${placed.y})`}
            >
              <rect width={placed.width} height={placed.height} rx={placed.height / 2} />
              <text x={placed.width / 2} y={placed.height / 2 + 4} text-anchor="middle">
                {placed.node.name}
              </text>
            </g>
          ),
        )}
      </svg>
    </div>
  );
};

/** The key to the colours and lines, in words. */
export const GraphLegend = () => (
  <ul class="graph-legend" aria-label="Legend">
    {(Object.keys(STATUS_WORDS) as StateStatus[]).map((status) => (
      <li key={status}>
        <span class={`legend-swatch state-${status}`} aria-hidden="true" />
        {STATUS_WORDS[status]}
      </li>
    ))}
    {(['next', 'catch', 'retry'] as const).map((kind) => (
      <li key={kind}>
        <svg class={`legend-line edge-${kind}`} width="28" height="10" aria-hidden="true">
          <path d="M2 5 L26 5" />
        </svg>
        {EDGE_WORDS[kind]}
      </li>
    ))}
    <li>
      <svg class="legend-line edge-next taken" width="28" height="10" aria-hidden="true">
        <path d="M2 5 L26 5" />
      </svg>
      Path taken
    </li>
  </ul>
);
