import { COST_PARTS, type CostPart, RUN_STATUSES } from '../shared/documents/document-cost';
import * as z from '../shared/runtime/zod';

/**
 * The API's cost shapes. They do not import the registry in ./schemas (which embeds them in the
 * document shapes); ./schemas registers them under {@link COST_SCHEMA_IDS}.
 */

const usd = z.number().check(z.meta({ description: 'US dollars (modelled), to the picodollar.' }));

export const costPartsSchema = z
  .object(Object.fromEntries(COST_PARTS.map((part) => [part, usd])) as Record<CostPart, typeof usd>)
  .check(
    z.meta({
      description:
        'Per AWS service: Step Functions state transitions, Lambda requests and GB-seconds, Textract pages, S3, DynamoDB, SQS and SNS requests.',
    }),
  );

/** The cost on a document summary: its total and parts over every run. */
export const documentCostSummarySchema = z.object({
  currency: z.literal('USD'),
  totalUsd: usd,
  parts: costPartsSchema,
  runCount: z
    .int()
    .check(z.meta({ description: 'Runs priced: the upload’s, redrives, reprocesses, a deletion.' })),
});

const functionUsageSchema = z.object({
  invocations: z.int(),
  billedMs: z.int(),
  memoryMb: z.int(),
});

export const runUsageSchema = z.object({
  stateTransitions: z
    .int()
    .check(z.meta({ description: 'States entered plus retries, as Step Functions bills them.' })),
  retries: z.int(),
  lambda: z.object({
    invocations: z.int(),
    modelledInvocations: z
      .int()
      .check(
        z.meta({ description: 'Invocations whose duration the execution history does not show (assumed).' }),
      ),
    gbSeconds: z.number(),
    functions: z.record(z.string(), functionUsageSchema),
  }),
  textract: z.object({ detectDocumentTextPages: z.int(), asyncPages: z.int() }),
  s3: z.object({ tier1Requests: z.int(), tier2Requests: z.int() }),
  dynamodb: z.object({ writeUnits: z.int(), readUnits: z.int() }),
  sqs: z.object({ requests: z.int() }),
  sns: z.object({ publishes: z.int() }),
});

export const runCostSchema = z.object({
  key: z
    .string()
    .check(z.meta({ description: 'The execution name, `<name>#redrive<n>` for a RedriveExecution.' })),
  execution: z.string(),
  redriveCount: z.int(),
  status: z.enum(RUN_STATUSES),
  startedAt: z.string(),
  stoppedAt: z.string(),
  totalUsd: usd,
  parts: costPartsSchema,
  usage: runUsageSchema,
  prices: z.object({ region: z.string(), asOf: z.string() }),
});

/** The cost on a document's detail: the summary and every run, oldest first (a summary still). */
export const documentCostDetailSchema = z.extend(documentCostSummarySchema, { runs: z.array(runCostSchema) });

const costGroupSchema = z.object({
  key: z.string(),
  documents: z.int().check(z.meta({ description: 'Documents of this group with a cost.' })),
  totalUsd: usd,
  averageUsd: usd,
});

const instantOrNull = z.nullable(z.string());

export const costSummarySchema = z.object({
  uploadedAfter: instantOrNull,
  uploadedBefore: instantOrNull,
  currency: z.literal('USD'),
  documents: z
    .int()
    .check(z.meta({ description: 'Documents uploaded in the range (read by this response).' })),
  costedDocuments: z.int().check(z.meta({ description: 'Of those, the documents with a cost recorded.' })),
  totalUsd: usd,
  averageUsd: z
    .nullable(usd)
    .check(z.meta({ description: 'Per document with a cost; null when none has one.' })),
  parts: costPartsSchema,
  byType: z.array(costGroupSchema),
  byStrategy: z.array(costGroupSchema),
  byStatus: z.array(costGroupSchema),
  nextCursor: z.nullable(z.string()).check(
    z.meta({
      description:
        'Set when the range holds more documents than one response reads: the figures cover what was read; ask again with `cursor` and add the responses up (every count and sum is additive).',
    }),
  ),
});

/** Component names of the cost shapes in the OpenAPI document. */
export const COST_SCHEMA_IDS = {
  parts: 'CostParts',
  summary: 'DocumentCostSummary',
  detail: 'DocumentCost',
  run: 'RunCost',
  costs: 'CostSummary',
} as const;

export type DocumentCostSummary = z.output<typeof documentCostSummarySchema>;
export type DocumentCostDetail = z.output<typeof documentCostDetailSchema>;
export type CostSummary = z.output<typeof costSummarySchema>;
