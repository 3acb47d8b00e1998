/**
 * Names the CDK app and the local cloud share: the context keys the app reads and the metadata key its
 * functions carry. Kept apart from the constructs so that the local cloud's own process can use them
 * without loading aws-cdk-lib (it synthesizes the app in a child process, see local/deploy/synth-child.ts).
 */

/** Context keys the app reads (cdk.json `context`, or `-c key=value`). */
export const CONTEXT_KEYS = {
  stage: 'docflow:stage',
  limits: 'docflow:limits',
  metricsNamespace: 'docflow:metricsNamespace',
  logRetentionDays: 'docflow:logRetentionDays',
  starterTimeoutSeconds: 'docflow:starterTimeoutSeconds',
  uploadCorsOrigins: 'docflow:uploadCorsOrigins',
  prices: 'docflow:prices',
} as const;

/** The CloudFormation metadata key that records a function's entry, so the local cloud can run it. */
export const ENTRY_METADATA_KEY = 'docflow:entry';
