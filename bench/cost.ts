/**
 * The modelled AWS cost per 1,000 documents of the sample mix. docflow has no cost model yet, so the
 * bench reports "n/a". The hook: when one lands (requests, GB-seconds, state transitions, Textract
 * pages, DynamoDB writes, priced per region), return its figure for the sample mix here; the table,
 * the JSON and the comparison pick it up under `cost.per1000DocumentsUsd`.
 */
export const modelledCostPer1000Documents = (_sampleFiles: readonly string[]): number | undefined =>
  undefined;
