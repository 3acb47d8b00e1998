import type { CostSummary, DocumentCostDetail } from '../lambdas/api/cost-schemas';
import {
  COST_PARTS,
  type CostPart,
  costPer1000Documents,
  picodollarsOf,
  usdOf,
} from '../lambdas/shared/documents/document-cost';
import type { OptionValues } from './args';
import { parseSince } from './command-options';
import { UsageError } from './errors';
import { formatInstant } from './format';
import type { CostQuery, DocumentsApi } from './ports';
import { renderFields, renderTable } from './table';

export interface CostOptions {
  /** ISO instants bounding the uploads (inclusive). */
  readonly uploadedAfter?: string;
  readonly uploadedBefore?: string;
  readonly json: boolean;
}

/** `docflow cost [--since T] [--until T] [--json]`: times as `--since` takes them (dates, times, 7d ago). */
export const costOptions = (values: OptionValues, now: number): CostOptions => {
  const text = (name: string): string | undefined =>
    typeof values[name] === 'string' ? (values[name] as string) : undefined;
  const since = text('since');
  const until = text('until');
  const after = since === undefined ? undefined : parseSince('cost', since, now);
  const before = until === undefined ? undefined : parseUntil(until, now);
  if (after !== undefined && before !== undefined && before < after) {
    throw new UsageError('--until must not be earlier than --since', 'cost');
  }
  return {
    ...(after === undefined ? {} : { uploadedAfter: new Date(after).toISOString() }),
    ...(before === undefined ? {} : { uploadedBefore: new Date(before).toISOString() }),
    json: values.json === true,
  };
};

/** `--until`: as `--since` takes a time, but a date or time may lie ahead (it then bounds nothing yet). */
const parseUntil = (value: string, now: number): number => {
  const at = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isNaN(at)) return at;
  try {
    return parseSince('cost', value, now);
  } catch (error) {
    if (error instanceof UsageError)
      throw new UsageError(error.message.replaceAll('--since', '--until'), 'cost');
    throw error;
  }
};

/** How each part reads in a table. */
export const PART_LABELS: Readonly<Record<CostPart, string>> = {
  stepFunctions: 'Step Functions',
  lambda: 'Lambda',
  textract: 'Textract',
  s3: 'S3',
  dynamodb: 'DynamoDB',
  sqs: 'SQS',
  sns: 'SNS',
};

/**
 * `$0.003346`: dollars to the millionth, enough to tell the parts of one document apart; a part under a
 * millionth (an SNS publish) to the billionth, so that nothing priced reads as zero.
 */
export const formatUsd = (usd: number): string =>
  usd > 0 && usd < 0.000001 ? `$${usd.toFixed(9)}` : `$${usd.toFixed(6)}`;

type Group = CostSummary['byType'][number];

const mergeGroups = (a: readonly Group[], b: readonly Group[]): Group[] => {
  const merged = new Map<string, { documents: number; pico: number }>();
  for (const group of [...a, ...b]) {
    const current = merged.get(group.key) ?? { documents: 0, pico: 0 };
    merged.set(group.key, {
      documents: current.documents + group.documents,
      pico: current.pico + picodollarsOf(group.totalUsd),
    });
  }
  return [...merged.entries()]
    .map(([key, { documents, pico }]) => ({
      key,
      documents,
      totalUsd: usdOf(pico),
      averageUsd: usdOf(Math.round(pico / documents)),
    }))
    .sort((x, y) => y.totalUsd - x.totalUsd || x.key.localeCompare(y.key));
};

/** Two responses of one range added up (every count and sum is additive; averages recomputed). */
export const mergeCostSummaries = (a: CostSummary, b: CostSummary): CostSummary => {
  const total = picodollarsOf(a.totalUsd) + picodollarsOf(b.totalUsd);
  const costed = a.costedDocuments + b.costedDocuments;
  return {
    ...a,
    documents: a.documents + b.documents,
    costedDocuments: costed,
    totalUsd: usdOf(total),
    averageUsd: costed === 0 ? null : usdOf(Math.round(total / costed)),
    parts: Object.fromEntries(
      COST_PARTS.map((part) => [part, usdOf(picodollarsOf(a.parts[part]) + picodollarsOf(b.parts[part]))]),
    ) as Record<CostPart, number>,
    byType: mergeGroups(a.byType, b.byType),
    byStrategy: mergeGroups(a.byStrategy, b.byStrategy),
    byStatus: mergeGroups(a.byStatus, b.byStatus),
    nextCursor: b.nextCursor,
  };
};

/** `GET /costs` over the whole range, following `nextCursor` and adding the responses up. */
export const summarizeCosts = async (
  documents: Pick<DocumentsApi, 'costs'>,
  query: Omit<CostQuery, 'cursor'>,
): Promise<CostSummary> => {
  let summary = await documents.costs(query);
  while (summary.nextCursor) {
    summary = mergeCostSummaries(summary, await documents.costs({ ...query, cursor: summary.nextCursor }));
  }
  return { ...summary, nextCursor: null };
};

const groupTable = (title: string, groups: readonly Group[], width?: number): string[] => {
  if (groups.length === 0) return [];
  return [
    '',
    ...renderTable(
      [
        { header: title.toUpperCase() },
        { header: 'DOCUMENTS', align: 'right' },
        { header: 'TOTAL', align: 'right' },
        { header: 'AVERAGE', align: 'right' },
      ],
      groups.map((group) => [
        group.key,
        String(group.documents),
        formatUsd(group.totalUsd),
        formatUsd(group.averageUsd),
      ]),
      width === undefined ? {} : { width },
    ),
  ];
};

/** The human-readable `docflow cost`. */
export const renderCostSummary = (summary: CostSummary, width?: number): string[] => {
  const range =
    summary.uploadedAfter || summary.uploadedBefore
      ? `${summary.uploadedAfter ? formatInstant(summary.uploadedAfter) : 'the start'} to ${summary.uploadedBefore ? formatInstant(summary.uploadedBefore) : 'now'}`
      : 'all time';
  const per1000 =
    summary.averageUsd === null ? undefined : costPer1000Documents([{ totalUsd: summary.averageUsd }]);
  const lines = renderFields([
    ['uploaded', range],
    ['documents', `${summary.documents} (${summary.costedDocuments} with a cost)`],
    ['total', formatUsd(summary.totalUsd)],
    ['average', summary.averageUsd === null ? '–' : formatUsd(summary.averageUsd)],
    ['per 1,000', per1000 === undefined ? undefined : `$${per1000.toFixed(2)}`],
  ]);
  lines.push(
    '',
    ...renderTable(
      [{ header: 'PART' }, { header: 'TOTAL', align: 'right' }],
      COST_PARTS.map((part) => [PART_LABELS[part], formatUsd(summary.parts[part])]),
    ),
  );
  lines.push(...groupTable('type', summary.byType, width));
  lines.push(...groupTable('strategy', summary.byStrategy, width));
  lines.push(...groupTable('status', summary.byStatus, width));
  return lines;
};

/** `$0.003346 (Textract $0.003000, Step Functions $0.000250, …)`: the total and its non-zero parts, largest first. */
export const costLine = (cost: Pick<DocumentCostDetail, 'totalUsd' | 'parts'>): string => {
  const parts = COST_PARTS.filter((part) => cost.parts[part] > 0)
    .sort((a, b) => cost.parts[b] - cost.parts[a])
    .map((part) => `${PART_LABELS[part]} ${formatUsd(cost.parts[part])}`);
  return parts.length === 0 ? formatUsd(cost.totalUsd) : `${formatUsd(cost.totalUsd)} (${parts.join(', ')})`;
};

/** `show`'s table of a document's priced runs: what each used and cost. */
export const renderCostRuns = (cost: DocumentCostDetail, width?: number): string[] =>
  renderTable(
    [
      { header: 'RUN', shrink: 'middle', minWidth: 16 },
      { header: 'STATUS' },
      { header: 'TRANSITIONS', align: 'right' },
      { header: 'INVOCATIONS', align: 'right' },
      { header: 'GB-S', align: 'right' },
      { header: 'PAGES', align: 'right' },
      { header: 'COST', align: 'right' },
    ],
    cost.runs.map((run) => [
      run.key,
      run.status,
      String(run.usage.stateTransitions),
      String(run.usage.lambda.invocations),
      run.usage.lambda.gbSeconds.toFixed(3),
      String(run.usage.textract.detectDocumentTextPages + run.usage.textract.asyncPages),
      formatUsd(run.totalUsd),
    ]),
    width === undefined ? {} : { width },
  );
