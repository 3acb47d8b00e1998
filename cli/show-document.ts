import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DocumentDetail } from '../lambdas/api/schemas';
import { documentId } from '../lambdas/shared/documents/document';
import { INCOMING_PREFIX } from './command-options';
import { costLine, renderCostRuns } from './document-costs';
import { type NewestTrace, newestDocumentTrace } from './document-traces';
import { CliError } from './errors';
import {
  formatBytes,
  formatDuration,
  formatInstant,
  orDash,
  printable,
  printableText,
  readableCause,
} from './format';
import { localUploadKeys } from './paths';
import type { DocflowTarget, DocumentsApi, Downloads, ExecutionsReader, TracesReader } from './ports';
import { renderFields, renderTable } from './table';
import { buildTimeline, type ExecutionTimeline } from './timeline';
import { problemOf, processingTime } from './upload-session';
import { describeFacts } from './waterfall';

/** Characters of text `show` previews. */
export const PREVIEW_CHARACTERS = 500;
/** Text pages read at most for a preview (pages may be empty: a scanned cover, a blank page). */
const PREVIEW_MAX_PAGES = 5;

const DOCUMENT_ID = /^[A-Za-z0-9_-]{22}$/;

/**
 * Finds a document by id or by key. A 22-character base64url word is tried as an id first; anything
 * else (or an id that finds nothing) as a key of the uploads bucket, then as one under `incoming/`
 * (so `show notes.txt` finds `incoming/notes.txt`), and last, when it names a file on this machine, as
 * `upload` or `demo` keyed that file (`localKeys`): so the path `upload` printed,
 * `sample-docs/notes.txt`, finds it too, and after `docflow demo` finds the demo's upload of it.
 */
export const findDocument = async (
  documents: Pick<DocumentsApi, 'get'>,
  bucket: string,
  idOrKey: string,
  localKeys: (path: string) => readonly string[] = () => [],
): Promise<DocumentDetail | undefined> => {
  if (DOCUMENT_ID.test(idOrKey)) {
    const byId = await documents.get(idOrKey);
    if (byId) return byId;
  }
  const byKey = await documents.get(documentId(bucket, idOrKey));
  if (byKey || idOrKey.startsWith(INCOMING_PREFIX)) return byKey;
  const underIncoming = `${INCOMING_PREFIX}${idOrKey.replace(/^\/+/, '')}`;
  for (const key of [underIncoming, ...localKeys(idOrKey).filter((key) => key !== underIncoming)]) {
    const found = await documents.get(documentId(bucket, key));
    if (found) return found;
  }
  return undefined;
};

/**
 * The document a command names (`show`, `trace`): by id, key or the path it was uploaded from, found
 * as {@link findDocument} finds it, with paths read from `cwd`.
 * @throws CliError naming what was asked and where, when there is none
 */
export const namedDocument = async (
  target: DocflowTarget,
  idOrKey: string,
  cwd: string,
): Promise<DocumentDetail> => {
  const document = await findDocument(
    target.documents,
    target.uploader.bucket,
    idOrKey,
    localUploadKeys(cwd),
  );
  if (!document) {
    throw new CliError(`no document with id or key "${printable(idOrKey)}" in ${target.description}`);
  }
  return document;
};

/** The first {@link PREVIEW_CHARACTERS} characters of a document's text, or undefined when it has none. */
export const textPreview = async (
  documents: Pick<DocumentsApi, 'text'>,
  id: string,
  maxCharacters = PREVIEW_CHARACTERS,
): Promise<string | undefined> => {
  const parts: string[] = [];
  let length = 0;
  for (
    let page: number | null = 1, read = 0;
    page !== null && length < maxCharacters && read < PREVIEW_MAX_PAGES;
    read += 1
  ) {
    const response = await documents.text(id, page, 1);
    if (!response) return read === 0 ? undefined : parts.join('\n\n');
    for (const textPage of response.pages) {
      const text = textPage.text.trim();
      if (text === '') continue;
      parts.push(text);
      length += text.length;
    }
    page = response.nextPage;
  }
  const joined = parts.join('\n\n');
  return joined.length > maxCharacters ? `${joined.slice(0, maxCharacters).trimEnd()}…` : joined;
};

const EXTENSIONS: Readonly<Record<string, string>> = {
  'image/webp': 'webp',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/avif': 'avif',
};

/** Downloads the thumbnail to `<dataDir>/thumbnails/<id>.<ext>` and returns the path; undefined when there is none. */
export const saveThumbnail = async (
  downloads: Downloads,
  document: DocumentDetail,
  dataDir: string,
): Promise<string | undefined> => {
  if (!document.thumbnail) return undefined;
  const bytes = await downloads.download(document.thumbnail.url);
  const folder = join(dataDir, 'thumbnails');
  await mkdir(folder, { recursive: true });
  // The id is base64url: safe as a file name on every system.
  const path = join(folder, `${document.id}.${EXTENSIONS[document.thumbnail.contentType] ?? 'webp'}`);
  await writeFile(path, bytes);
  return path;
};

/** The execution's steps, or undefined when the document names none or it is gone. */
export const executionTimeline = async (
  executions: ExecutionsReader,
  document: DocumentDetail,
): Promise<ExecutionTimeline | undefined> => {
  if (!document.execution) return undefined;
  const history = await executions.history(document.execution.arn);
  return history ? buildTimeline(history) : undefined;
};

/** Everything `show` gathers; parts that failed carry their error instead. */
export interface ShownDocument {
  readonly document: DocumentDetail;
  readonly textPreview?: string;
  readonly thumbnailPath?: string;
  readonly timeline?: ExecutionTimeline;
  /** The document's newest X-Ray trace; undefined when X-Ray has none (yet) or could not be read. */
  readonly trace?: NewestTrace;
  /** What could not be fetched (`thumbnail: HTTP 403`), shown as notes. */
  readonly problems: readonly string[];
}

const settle = async <T>(
  label: string,
  problems: string[],
  work: () => Promise<T>,
): Promise<T | undefined> => {
  try {
    return await work();
  } catch (error) {
    problems.push(`${label}: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
};

/**
 * Gathers the preview, thumbnail, steps and newest trace of a document, in parallel; one failing does
 * not hide the others.
 */
export const gatherDocument = async (
  ports: {
    documents: Pick<DocumentsApi, 'text'>;
    downloads: Downloads;
    executions: ExecutionsReader;
    traces: TracesReader;
  },
  document: DocumentDetail,
  dataDir: string,
  now: number = Date.now(),
): Promise<ShownDocument> => {
  const problems: string[] = [];
  const [preview, thumbnailPath, timeline, trace] = await Promise.all([
    document.text ? settle('text', problems, () => textPreview(ports.documents, document.id)) : undefined,
    settle('thumbnail', problems, () => saveThumbnail(ports.downloads, document, dataDir)),
    settle('execution', problems, () => executionTimeline(ports.executions, document)),
    settle('trace', problems, () => newestDocumentTrace(ports.traces, document, now)),
  ]);
  return {
    document,
    ...(preview !== undefined ? { textPreview: preview } : {}),
    ...(thumbnailPath !== undefined ? { thumbnailPath } : {}),
    ...(timeline !== undefined ? { timeline } : {}),
    ...(trace !== undefined ? { trace } : {}),
    problems,
  };
};

/** `1-… (3.2 s, 41 segments, 1 error, 0 faults, 1 retry; 2 more traces)`, or `none yet`. */
export const traceLine = (trace: NewestTrace | undefined): string => {
  if (!trace) return 'none yet';
  const more = trace.others.length;
  const others = more === 0 ? '' : `; ${more} older trace${more === 1 ? '' : 's'}`;
  return `${trace.trace.id} (${describeFacts(trace.facts)}${others})`;
};

const STEP_COLUMNS = [
  { header: 'STEP' },
  { header: 'STATUS' },
  { header: 'START', align: 'right' },
  { header: 'DURATION', align: 'right' },
  { header: 'RETRIES', align: 'right' },
  { header: 'ERROR', shrink: 'end' },
] as const;

/** The compact timeline table: one row per state entered, branches indented. */
export const renderTimeline = (timeline: ExecutionTimeline, width?: number): string[] => {
  const origin = timeline.startedAt?.getTime() ?? timeline.steps[0]?.startedAt.getTime() ?? 0;
  return renderTable(
    STEP_COLUMNS,
    timeline.steps.map((step) => [
      `${'  '.repeat(step.depth)}${step.name}`,
      step.status,
      `+${formatDuration(step.startedAt.getTime() - origin)}`,
      step.durationMs === undefined ? '' : formatDuration(step.durationMs),
      step.retries === 0 ? '' : String(step.retries),
      [step.error, readableCause(step.cause)].filter(Boolean).join(': '),
    ]),
    width === undefined ? {} : { width },
  );
};

const textSummary = (document: DocumentDetail): string | undefined => {
  if (!document.text) return undefined;
  const { source, pages, words, characters } = document.text;
  return `${source}, ${pages} page${pages === 1 ? '' : 's'}, ${words} words, ${characters} characters`;
};

export interface RenderShowOptions {
  /** Relative paths are shown relative to it. */
  readonly displayPath: (path: string) => string;
  /** Console links mean something only for a deployed stack. */
  readonly consoleLinks: boolean;
  readonly width?: number;
}

/** The human-readable `show`. */
export const renderShownDocument = (shown: ShownDocument, options: RenderShowOptions): string[] => {
  const { document, timeline } = shown;
  const lines = renderFields([
    ['key', document.key],
    ['id', document.id],
    ['status', document.status],
    ['problem', problemOf(document) || undefined],
    ['type', [document.type, document.mimeType].filter(Boolean).join(', ') || undefined],
    ['size', document.size === undefined ? undefined : formatBytes(document.size)],
    ['pages', document.pages === undefined ? undefined : String(document.pages)],
    ['dimensions', document.width && document.height ? `${document.width}×${document.height}` : undefined],
    ['title', document.title],
    ['author', document.author],
    ['text', textSummary(document) ?? (document.textStrategy === 'none' ? 'none' : undefined)],
    ['strategy', document.textStrategy],
    ['uploaded', formatInstant(document.uploadedAt)],
    ['took', document.status === 'PROCESSING' ? undefined : processingTime(document) || undefined],
    ['cost', document.cost ? costLine(document.cost) : undefined],
    ['version', document.version],
    [
      'thumbnail',
      shown.thumbnailPath
        ? `${options.displayPath(shown.thumbnailPath)} (${orDash(document.thumbnail?.width)}×${orDash(document.thumbnail?.height)})`
        : undefined,
    ],
    ['execution', document.execution?.arn],
    ['console', options.consoleLinks ? document.execution?.consoleUrl : undefined],
    [
      'trace',
      shown.problems.some((problem) => problem.startsWith('trace:')) ? undefined : traceLine(shown.trace),
    ],
  ]);
  if (shown.textPreview !== undefined) {
    lines.push('', 'Text:');
    for (const line of printableText(shown.textPreview).split('\n')) lines.push(`  ${line}`.trimEnd());
  }
  if (timeline) {
    const took =
      timeline.startedAt && timeline.stoppedAt
        ? `, ${formatDuration(timeline.stoppedAt.getTime() - timeline.startedAt.getTime())}`
        : '';
    const redriven = timeline.redriveCount > 0 ? `, redriven ${timeline.redriveCount}×` : '';
    lines.push('', `Steps (execution ${timeline.status}${took}${redriven}):`);
    lines.push(
      ...renderTimeline(timeline, options.width === undefined ? undefined : options.width - 2).map(
        (line) => `  ${line}`,
      ),
    );
  }
  if (document.cost && document.cost.runs.length > 0) {
    const runs = document.cost.runs.length;
    lines.push('', `Cost (${runs} run${runs === 1 ? '' : 's'}, modelled, USD):`);
    lines.push(
      ...renderCostRuns(document.cost, options.width === undefined ? undefined : options.width - 2).map(
        (line) => `  ${line}`,
      ),
    );
  }
  for (const problem of shown.problems) lines.push('', `note: could not read the ${problem}`);
  return lines;
};

/** The `show --json` document: the API's detail plus what the CLI gathered. */
export const shownDocumentJson = (shown: ShownDocument): unknown => ({
  document: shown.document,
  textPreview: shown.textPreview ?? null,
  thumbnailPath: shown.thumbnailPath ?? null,
  execution: shown.timeline
    ? {
        arn: shown.document.execution?.arn,
        status: shown.timeline.status,
        startedAt: shown.timeline.startedAt?.toISOString() ?? null,
        stoppedAt: shown.timeline.stoppedAt?.toISOString() ?? null,
        error: shown.timeline.error ?? null,
        cause: shown.timeline.cause ?? null,
        redriveCount: shown.timeline.redriveCount,
        steps: shown.timeline.steps.map((step) => ({ ...step, startedAt: step.startedAt.toISOString() })),
      }
    : null,
  trace: shown.trace
    ? {
        id: shown.trace.trace.id,
        ...shown.trace.facts,
        otherTraceIds: shown.trace.others.map((trace) => trace.id),
      }
    : null,
  problems: shown.problems,
});
