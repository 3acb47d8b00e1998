import type { EntityDocument } from './segment-document';

/** One trace put back together from the documents received for it. */
export interface AssembledTrace {
  readonly traceId: string;
  /** Whole segments, each with the subsegments sent on their own re-attached, earliest first. */
  readonly segments: readonly EntityDocument[];
  /**
   * Subsegments whose parent has not arrived (yet), or whose parents form a loop. They stay stored and
   * join their segment once it arrives; until then the trace is partial.
   */
  readonly orphans: readonly EntityDocument[];
  /** Whether any segment or subsegment is still in progress. */
  readonly inProgress: boolean;
}

type Entity = Record<string, unknown> & { id: string; subsegments?: Entity[] };

/** Fields only a subsegment sent on its own carries; embedded, its place in the tree says the same. */
const STANDALONE_FIELDS = ['type', 'trace_id', 'parent_id'] as const;

const startOf = (entity: Entity): number => (typeof entity.start_time === 'number' ? entity.start_time : 0);

const byStart = (left: Entity, right: Entity): number =>
  startOf(left) - startOf(right) || (left.id < right.id ? -1 : 1);

const isInProgress = (entity: Entity): boolean =>
  entity.in_progress === true || entity.end_time === undefined;

/** Every entity of a tree, with the id of the entity that embeds it. */
const walk = (
  entity: Entity,
  parentId: string | undefined,
  visit: (entity: Entity, parentId?: string) => void,
): void => {
  visit(entity, parentId);
  for (const child of entity.subsegments ?? []) walk(child, entity.id, visit);
};

/**
 * Assembles a trace as X-Ray does for BatchGetTraces: every subsegment that was sent on its own
 * (`"type": "subsegment"`, with a `parent_id`) is put into its parent's `subsegments`, whether that
 * parent is a segment, an embedded subsegment or another subsegment sent on its own, in whatever order
 * they arrived. A re-attached subsegment replaces an embedded one of the same id.
 */
export const assembleTrace = (traceId: string, bodies: readonly string[]): AssembledTrace => {
  const documents = bodies.map((body) => JSON.parse(body) as Entity);
  const segments = documents.filter((document) => document.type !== 'subsegment');
  const standalone = documents.filter((document) => document.type === 'subsegment').sort(byStart);

  const entities = new Map<string, Entity>();
  const parentOf = new Map<string, string>();
  const index = (entity: Entity, parentId?: string): void => {
    entities.set(entity.id, entity);
    if (parentId !== undefined) parentOf.set(entity.id, parentId);
  };
  for (const segment of segments) walk(segment, undefined, index);
  for (const subsegment of standalone) walk(subsegment, String(subsegment.parent_id), index);

  /** Whether attaching `child` under `parentId` would make it its own ancestor. */
  const loops = (child: Entity, parentId: string): boolean => {
    const seen = new Set<string>();
    for (let id: string | undefined = parentId; id !== undefined; id = parentOf.get(id)) {
      if (id === child.id || seen.has(id)) return true;
      seen.add(id);
    }
    return false;
  };

  const touched = new Set<Entity>();
  const attached = new Set<Entity>();
  for (const subsegment of standalone) {
    const parentId = String(subsegment.parent_id);
    const parent = entities.get(parentId);
    if (!parent || loops(subsegment, parentId)) continue;
    parent.subsegments = [
      ...(parent.subsegments ?? []).filter((child) => child.id !== subsegment.id),
      subsegment,
    ];
    touched.add(parent);
    attached.add(subsegment);
  }
  for (const parent of touched) parent.subsegments?.sort(byStart);

  const reached = new Set<Entity>();
  for (const segment of segments) walk(segment, undefined, (entity) => reached.add(entity));
  const orphans = standalone.filter((subsegment) => !reached.has(subsegment) && !attached.has(subsegment));
  let inProgress = false;
  for (const root of [...segments, ...orphans]) {
    walk(root, undefined, (entity) => {
      if (isInProgress(entity)) inProgress = true;
    });
  }
  for (const subsegment of standalone) {
    if (reached.has(subsegment)) for (const field of STANDALONE_FIELDS) delete subsegment[field];
  }
  return {
    traceId,
    segments: segments.sort(byStart) as unknown as EntityDocument[],
    orphans: orphans as unknown as EntityDocument[],
    inProgress,
  };
};
