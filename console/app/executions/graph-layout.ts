import ELK, { type ElkExtendedEdge, type ElkNode } from 'elkjs/lib/elk-api';
import type { EdgeKind, GraphEdge, GraphNode, WorkflowGraph } from './definition-graph';

/**
 * Where ELK's layout engine is served (bundle.ts defines it): the published `elk-worker.min.js`, run as
 * a Web Worker, so laying out a graph never blocks the page.
 */
declare const ELK_WORKER_URL: string;

/** Sizes the layout needs, measured by the page in its own font. */
export type TextMeasure = (text: string, font: 'name' | 'detail' | 'label') => number;

export interface PlacedNode {
  readonly node: GraphNode;
  /** Absolute position in the drawing. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** A group (Parallel, Branch, Map) drawn as a box around its children. */
  readonly group: boolean;
  readonly depth: number;
}

export interface PlacedEdge {
  readonly edge: GraphEdge;
  /** SVG path data, absolute. */
  readonly path: string;
  /** Where its label goes (top-left), absolute; absent without a label. */
  readonly label?: {
    readonly x: number;
    readonly y: number;
    readonly width: number;
    readonly height: number;
  };
}

export interface GraphLayout {
  readonly width: number;
  readonly height: number;
  /** Groups first (outermost first), so children are drawn above them. */
  readonly nodes: readonly PlacedNode[];
  readonly edges: readonly PlacedEdge[];
}

const NODE_HEIGHT = 48;
const MARK_SIZE = 40;
const NODE_PADDING_X = 28;
const MIN_NODE_WIDTH = 120;
const LABEL_HEIGHT = 16;
const GROUP_HEADER = 28;

let engine: InstanceType<typeof ELK> | undefined;

/** One engine for the page: its worker loads ELK once (1.6 MB, cached for good under a hashed name). */
const elk = (): InstanceType<typeof ELK> => {
  engine ??= new ELK({ workerUrl: ELK_WORKER_URL });
  return engine;
};

const isGroup = (node: GraphNode): boolean => node.children.length > 0 || node.type === 'Branch';

/** The ELK graph of a workflow graph, with sizes measured by `measure` (exported for a test that lays it out in Node). */
export const elkGraphOf = (graph: WorkflowGraph, measure: TextMeasure): ElkNode => {
  const labelOf = (edge: GraphEdge) =>
    edge.label
      ? [
          {
            id: `${edge.id}-label`,
            text: edge.label,
            width: measure(edge.label, 'label') + 8,
            height: LABEL_HEIGHT,
            // A Choice rule beside the state it leads to, a Catch's errors where they leave their state.
            layoutOptions: {
              'elk.edgeLabels.placement': edge.kind === 'choice' || edge.kind === 'default' ? 'HEAD' : 'TAIL',
            },
          },
        ]
      : [];
  // The happy path is laid straight and short; Catch edges (many, to a few states) give way to it.
  const priorityOf = (edge: GraphEdge): Record<string, string> =>
    edge.kind === 'catch' || edge.kind === 'retry'
      ? { 'elk.layered.priority.shortness': '0', 'elk.layered.priority.straightness': '0' }
      : { 'elk.layered.priority.shortness': '10', 'elk.layered.priority.straightness': '10' };
  const edgesOf = (edges: readonly GraphEdge[]): ElkExtendedEdge[] =>
    edges.map((edge) => ({
      id: edge.id,
      sources: [edge.source],
      targets: [edge.target],
      labels: labelOf(edge),
      layoutOptions: priorityOf(edge),
    }));
  const nodeOf = (node: GraphNode): ElkNode => {
    if (node.type === 'Start' || node.type === 'End') {
      return { id: node.id, width: MARK_SIZE + 16, height: MARK_SIZE - 12 };
    }
    if (isGroup(node)) {
      const title = measure(node.name, 'name') + 2 * NODE_PADDING_X;
      return {
        id: node.id,
        layoutOptions: {
          'elk.padding': `[top=${GROUP_HEADER + 12},left=16,bottom=16,right=16]`,
          'elk.nodeSize.constraints': 'MINIMUM_SIZE',
          'elk.nodeSize.minimum': `(${title}, 60)`,
        },
        children: node.children.map(nodeOf),
        edges: edgesOf(node.edges),
      };
    }
    const width = Math.max(
      MIN_NODE_WIDTH,
      measure(node.name, 'name') + NODE_PADDING_X,
      measure(`${node.type}${node.detail ? ` · ${node.detail}` : ''}`, 'detail') + NODE_PADDING_X,
    );
    return { id: node.id, width: Math.ceil(width), height: NODE_HEIGHT };
  };
  return {
    id: graph.root.id,
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.layered.spacing.nodeNodeBetweenLayers': '44',
      'elk.spacing.nodeNode': '28',
      'elk.spacing.edgeNode': '18',
      'elk.spacing.edgeEdge': '12',
      'elk.spacing.edgeLabel': '4',
      'elk.edgeLabels.inline': 'false',
      'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
      'elk.padding': '[top=12,left=12,bottom=12,right=12]',
      'elk.json.edgeCoords': 'ROOT',
      'elk.json.shapeCoords': 'ROOT',
    },
    children: graph.root.children.map(nodeOf),
    edges: edgesOf(graph.root.edges),
  };
};

const pathOf = (edge: ElkExtendedEdge): string =>
  (edge.sections ?? [])
    .map((section) =>
      [section.startPoint, ...(section.bendPoints ?? []), section.endPoint]
        .map((point, index) => `${index === 0 ? 'M' : 'L'}${point.x.toFixed(1)} ${point.y.toFixed(1)}`)
        .join(' '),
    )
    .join(' ');

/**
 * Lays the graph out with ELK's layered algorithm (top to bottom, orthogonal edges, groups nested) in
 * the worker, and returns absolute positions to draw.
 */
export const layoutWorkflowGraph = async (
  graph: WorkflowGraph,
  measure: TextMeasure,
): Promise<GraphLayout> => {
  const laid = await elk().layout(elkGraphOf(graph, measure));
  const nodesById = new Map<string, GraphNode>();
  const edgesById = new Map<string, GraphEdge>(graph.edges.map((edge) => [edge.id, edge]));
  const index = (node: GraphNode): void => {
    nodesById.set(node.id, node);
    for (const child of node.children) index(child);
  };
  index(graph.root);
  const nodes: PlacedNode[] = [];
  const edges: PlacedEdge[] = [];
  const visit = (elkNode: ElkNode, depth: number): void => {
    for (const child of elkNode.children ?? []) {
      const node = nodesById.get(child.id);
      if (node) {
        nodes.push({
          node,
          x: child.x ?? 0,
          y: child.y ?? 0,
          width: child.width ?? 0,
          height: child.height ?? 0,
          group: isGroup(node),
          depth,
        });
      }
      visit(child, depth + 1);
    }
    for (const elkEdge of elkNode.edges ?? []) {
      const edge = edgesById.get(elkEdge.id);
      if (!edge) continue;
      const [label] = elkEdge.labels ?? [];
      edges.push({
        edge,
        path: pathOf(elkEdge),
        ...(label && edge.label
          ? {
              label: {
                x: label.x ?? 0,
                y: label.y ?? 0,
                width: label.width ?? 0,
                height: label.height ?? LABEL_HEIGHT,
              },
            }
          : {}),
      });
    }
  };
  visit(laid, 0);
  return {
    width: Math.ceil(laid.width ?? 0),
    height: Math.ceil(laid.height ?? 0),
    nodes: nodes.toSorted(
      (left, right) => Number(right.group) - Number(left.group) || left.depth - right.depth,
    ),
    edges,
  };
};

/** The kinds of edge, in the legend's order. */
export const EDGE_KINDS: readonly EdgeKind[] = ['next', 'choice', 'default', 'catch', 'retry'];
