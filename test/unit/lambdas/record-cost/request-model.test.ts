import { describe, expect, it } from 'vitest';
import { SNIFF_BYTES } from '../../../../lambdas/inspect/detect-type';
import {
  type AttemptFacts,
  KINDS_WITHOUT_PICTURE,
  MODEL,
  STATE_REQUESTS,
  textWriteRequests,
} from '../../../../lambdas/record-cost/request-model';
import { MULTIPART_THRESHOLD_BYTES } from '../../../../lambdas/shared/adapters/s3-derivative-store';
import { pictureKindOf } from '../../../../lambdas/thumbnail/make-thumbnail';
import { type AslStates, listStates } from '../../../../local/stepfunctions/asl';
import { readDefinition } from '../../../../statemachines/definition';

const definition = JSON.parse(readDefinition()) as AslStates;

const attempt = (state: string, facts: Partial<AttemptFacts>): AttemptFacts => ({
  state,
  input: {},
  outcome: 'succeeded',
  endedByCallback: false,
  ...facts,
});

describe('the request model', () => {
  it('has an entry for every Task state of the workflow, and none for a state it does not have', () => {
    // Prepare
    const tasks = listStates(definition)
      .filter(({ state }) => state.Type === 'Task')
      .map(({ name }) => name)
      .sort();

    // Assess
    expect(Object.keys(STATE_REQUESTS).sort()).toEqual(tasks);
  });

  it('uses the sizes the functions use', () => {
    expect(MODEL.sniffBytes).toBe(SNIFF_BYTES);
    expect(MODEL.multipartThresholdBytes).toBe(MULTIPART_THRESHOLD_BYTES);
    for (const type of ['pdf', 'jpeg', 'png', 'webp', 'gif', 'tiff', 'avif', 'heic', 'svg', 'docx', 'text']) {
      expect(KINDS_WITHOUT_PICTURE.has(type), type).toBe(pictureKindOf(type) === null);
    }
  });

  it('counts Inspect’s ranged GET, and its whole GET of a document larger than the sample', () => {
    const inspect = STATE_REQUESTS.Inspect;
    expect(inspect?.(attempt('Inspect', { input: { document: { size: 0 } } }))).toEqual({ s3Tier2: 1 });
    expect(inspect?.(attempt('Inspect', { input: { document: { size: 65_536 } } }))).toEqual({ s3Tier2: 1 });
    expect(inspect?.(attempt('Inspect', { input: { document: { size: 65_537 } } }))).toEqual({ s3Tier2: 2 });
  });

  it('counts the upload check after each derivative written, and none when nothing was written', () => {
    const written = { output: { text: { characters: 1_000 } } };
    expect(STATE_REQUESTS.ExtractTextLocally?.(attempt('ExtractTextLocally', written))).toEqual({
      s3Tier2: 2,
      s3Tier1: 1,
    });
    expect(STATE_REQUESTS.ExtractTextLocally?.(attempt('ExtractTextLocally', { outcome: 'failed' }))).toEqual(
      {
        s3Tier2: 1,
        s3Tier1: 0,
      },
    );
    expect(
      STATE_REQUESTS.Thumbnail?.(
        attempt('Thumbnail', { input: { inspection: { type: 'png' } }, output: { thumbnail: { width: 1 } } }),
      ),
    ).toEqual({ s3Tier2: 2, s3Tier1: 1 });
  });

  it('writes a large text in parts: create, the parts, complete', () => {
    expect(textWriteRequests(1_000)).toBe(1);
    expect(textWriteRequests(4 * 1024 * 1024)).toBe(1);
    // 10 MiB of characters: 20 MiB of JSON, 3 parts of 8 MiB.
    expect(textWriteRequests(10 * 1024 * 1024)).toBe(5);
  });

  it('charges a refused conditional write one unit, and a lost index race a read', () => {
    expect(
      STATE_REQUESTS.MarkProcessing?.(
        attempt('MarkProcessing', { outcome: 'failed', error: 'DynamoDB.ConditionalCheckFailedException' }),
      ),
    ).toEqual({ dynamodbWriteUnits: 1 });
    expect(STATE_REQUESTS.IndexMetadata?.(attempt('IndexMetadata', { output: { written: false } }))).toEqual({
      dynamodbWriteUnits: 1,
      dynamodbReadUnits: 1,
    });
    expect(STATE_REQUESTS.IndexMetadata?.(attempt('IndexMetadata', { outcome: 'failed' }))).toEqual({});
  });

  it('reads nothing for the thumbnail of a kind without a picture', () => {
    expect(
      STATE_REQUESTS.Thumbnail?.(
        attempt('Thumbnail', { input: { inspection: { type: 'docx' } }, output: { thumbnail: null } }),
      ),
    ).toEqual({});
  });

  it('bills no pages for a job that failed, but its callback’s work', () => {
    // Act
    const requests = STATE_REQUESTS.AnalyzeWithTextractJob?.(
      attempt('AnalyzeWithTextractJob', {
        outcome: 'failed',
        error: 'CorruptDocumentError',
        endedByCallback: true,
        input: { inspection: { pages: 4 } },
      }),
    );

    // Assess
    expect(requests).toMatchObject({ asyncTextPages: 0, s3Tier1: 0, snsPublishes: 1, sqsRequests: 3 });
    expect(requests?.invocations).toEqual([
      { role: 'textract-callback', durationMs: MODEL.textractCallbackInvocationMs },
    ]);
  });
});
