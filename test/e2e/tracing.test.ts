import { DeleteBucketCommand, DeleteObjectsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { BatchGetTracesCommand, GetTraceSummariesCommand, XRayClient } from '@aws-sdk/client-xray';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentDetail } from '../../lambdas/api/schemas';
import { documentId } from '../../lambdas/shared/documents/document';
import { LOCAL_CREDENTIALS } from '../../local/credentials';
import {
  enteredStates,
  executionHistory,
  pollUntil,
  upload,
  useFreshCloudSession,
  waitForTerminal,
} from '../support/local-cloud-session';
import { readSampleDocument } from '../support/sample-docs';

/**
 * One document run is one X-Ray trace, found by its document id through the X-Ray API, holding the
 * state machine, every state, every function invocation and the AWS calls, retries included; all
 * written by the unmodified X-Ray SDK and Powertools inside the functions and by the local services
 * that play Lambda and Step Functions.
 */

const BUDGET_MS = 120_000;

/** A segment document, with the fields this test reads. */
interface Entity {
  readonly id: string;
  readonly name: string;
  readonly origin?: string;
  readonly parent_id?: string;
  readonly namespace?: string;
  readonly error?: boolean;
  readonly fault?: boolean;
  readonly annotations?: Record<string, unknown>;
  readonly aws?: { readonly operation?: string };
  readonly subsegments?: readonly Entity[];
}

const session = useFreshCloudSession('tracing');
let xray: XRayClient;

/** Every segment and subsegment of the document's run trace, flattened. */
const traceOf = async (id: string): Promise<{ traceId: string; entities: Entity[]; roots: Entity[] }> => {
  const summaries = await pollUntil(
    `a trace annotated documentId = ${id}`,
    async () => {
      const { TraceSummaries = [] } = await xray.send(
        new GetTraceSummariesCommand({
          StartTime: new Date(Date.now() - 10 * 60_000),
          EndTime: new Date(Date.now() + 60_000),
          FilterExpression: `annotation.documentId = "${id}"`,
        }),
      );
      return TraceSummaries.length > 0 ? TraceSummaries : undefined;
    },
    { deadline: Date.now() + 30_000 },
  );
  expect(summaries).toHaveLength(1);
  const traceId = summaries[0]?.Id ?? '';
  const { Traces = [] } = await xray.send(new BatchGetTracesCommand({ TraceIds: [traceId] }));
  const roots = (Traces[0]?.Segments ?? []).map((segment) => JSON.parse(segment.Document ?? '{}') as Entity);
  const entities: Entity[] = [];
  const walk = (entity: Entity): void => {
    entities.push(entity);
    for (const child of entity.subsegments ?? []) walk(child);
  };
  for (const root of roots) walk(root);
  return { traceId, entities, roots };
};

/** The state subsegments under the state machine segment, by name. */
const stateNames = (roots: readonly Entity[]): Set<string> => {
  const machine = roots.find((root) => root.origin === 'AWS::StepFunctions::StateMachine');
  const names = new Set<string>();
  const walk = (entity: Entity): void => {
    for (const child of entity.subsegments ?? []) {
      if (child.namespace !== 'aws') names.add(child.name);
      walk(child);
    }
  };
  if (machine) walk(machine);
  return names;
};

const processedRun = async (file: string, key: string): Promise<DocumentDetail> => {
  await upload(session, key, await readSampleDocument(file));
  return waitForTerminal(session, documentId(session.uploadsBucket, key), {
    deadline: Date.now() + BUDGET_MS,
  });
};

beforeAll(async () => {
  xray = new XRayClient({
    region: session.cloud.region,
    credentials: LOCAL_CREDENTIALS,
    endpoint: session.cloud.endpoint,
  });
});

afterAll(async () => {
  xray?.destroy();
});

describe('X-Ray traces on the local cloud', () => {
  it('traces an OCR’d image: the state machine, every state, every invocation and its S3, DynamoDB and Textract calls', async () => {
    // Prepare
    const document = await processedRun('printed-text.png', 'incoming/tracing/printed text.png');
    expect(document.status).toBe('PROCESSED');

    // Act
    const { entities, roots } = await traceOf(document.id);

    // Assess
    const machine = roots.find((root) => root.origin === 'AWS::StepFunctions::StateMachine');
    expect(machine?.fault ?? false).toBe(false);
    const entered = enteredStates(await executionHistory(session, document.execution?.arn ?? ''));
    expect([...stateNames(roots)]).toEqual(expect.arrayContaining(entered));
    const lambdas = entities.filter((entity) => entity.origin === 'AWS::Lambda');
    const functions = entities.filter((entity) => entity.origin === 'AWS::Lambda::Function');
    // Inspect, Thumbnail, the Textract text step and IndexMetadata: one invocation each.
    expect(lambdas).toHaveLength(4);
    expect(functions).toHaveLength(4);
    for (const fn of functions) expect(lambdas.map((lambda) => lambda.id)).toContain(fn.parent_id);
    const handlers = entities.filter((entity) => entity.name.startsWith('## '));
    expect(handlers).toHaveLength(4);
    for (const handler of handlers) expect(handler.annotations?.documentId).toBe(document.id);
    const calls = new Set(
      entities.filter((entity) => entity.namespace === 'aws').map((entity) => entity.name),
    );
    expect([...calls]).toEqual(expect.arrayContaining(['S3', 'DynamoDB', 'Textract']));
    // Each call nests under the handler that made it: the segment context survived every await.
    const subtree = (entity: Entity): Entity[] => [entity, ...(entity.subsegments ?? []).flatMap(subtree)];
    const handlerCalls = new Set(
      handlers
        .flatMap(subtree)
        .filter((entity) => entity.namespace === 'aws')
        .map((entity) => entity.name),
    );
    expect([...handlerCalls]).toEqual(expect.arrayContaining(['S3', 'DynamoDB', 'Textract']));
    expect(entities.some((entity) => entity.annotations?.ColdStart === true)).toBe(true);
  });

  it('traces a rejected document through RecordRejected, found by its id alone', async () => {
    // Prepare
    const document = await processedRun('corrupt.pdf', 'incoming/tracing/corrupt.pdf');
    expect(document.status).toBe('REJECTED');

    // Act
    const { entities, roots } = await traceOf(document.id);

    // Assess
    expect([...stateNames(roots)]).toEqual(expect.arrayContaining(['Inspect', 'RecordRejected', 'Rejected']));
    const recorded = entities.find((entity) => entity.annotations?.status === 'REJECTED');
    expect(recorded?.annotations).toMatchObject({ documentId: document.id, reason: 'CORRUPT' });
  });

  it('traces a failure after retries: every attempt, its fault, then RecordFailure and SendToDlq', async () => {
    // Prepare: the derivatives bucket is gone, so every write of a derivative fails.
    const derivatives = session.cloud.localDeployment.outputs.DerivativesBucketName ?? '';
    const { Contents = [] } = await session.s3.send(new ListObjectsV2Command({ Bucket: derivatives }));
    if (Contents.length > 0) {
      await session.s3.send(
        new DeleteObjectsCommand({
          Bucket: derivatives,
          Delete: { Objects: Contents.map((object) => ({ Key: object.Key })) },
        }),
      );
    }
    await session.s3.send(new DeleteBucketCommand({ Bucket: derivatives }));
    const document = await processedRun('notes.txt', 'incoming/tracing/notes.txt');
    expect(document.status).toBe('FAILED');

    // Act
    const { entities, roots } = await traceOf(document.id);

    // Assess
    expect([...stateNames(roots)]).toEqual(
      expect.arrayContaining(['ExtractTextLocally', 'RecordFailure', 'SendToDlq', 'Failed']),
    );
    const step = entities.find((entity) => entity.name === 'ExtractTextLocally');
    const attempts = (step?.subsegments ?? []).filter((entity) => entity.namespace === 'aws');
    expect(attempts).toHaveLength(3);
    const failedPuts = entities.filter(
      (entity) =>
        entity.name === 'S3' && entity.aws?.operation === 'PutObject' && (entity.error || entity.fault),
    );
    expect(failedPuts.length).toBeGreaterThanOrEqual(3);
    const machine = roots.find((root) => root.origin === 'AWS::StepFunctions::StateMachine');
    expect(machine?.fault).toBe(true);
  });
});
