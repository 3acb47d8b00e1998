import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { extractTextRequestSchema as Schema } from '../../../../lambdas/extract-text/handler';

const document = {
  id: 'doc-1',
  bucket: 'uploads',
  key: 'incoming/scan.pdf',
  version: 'v-1',
  versionId: 'v-1',
  sequencer: '0065A1B2C3D4E5F60100000000000000',
  size: 1_000,
  eTag: 'etag',
  uploadedAt: '2026-11-23T12:00:00.000Z',
  shard: '3',
};
const inspection = {
  mimeType: 'application/pdf',
  type: 'pdf',
  size: 1_000,
  sha256: 'a'.repeat(64),
  pages: 2,
  textStrategy: 'textract-async',
};

let schema: typeof Schema;

describe('extract-text handler input', () => {
  beforeAll(async () => {
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('DERIVATIVES_BUCKET_NAME', 'derivatives');
    vi.stubEnv('TEXTRACT_JOBS_TABLE_NAME', 'textract-jobs');
    vi.stubEnv('TEXTRACT_TOPIC_ARN', 'arn:aws:sns:us-east-1:123456789012:textract');
    vi.stubEnv('TEXTRACT_ROLE_ARN', 'arn:aws:iam::123456789012:role/textract-publishes');
    ({ extractTextRequestSchema: schema } = await import('../../../../lambdas/extract-text/handler'));
  });

  it.each(['local', 'textract-sync'])('accepts the %s task as the ASL sends it', (strategy) => {
    // Act
    const parsed = schema.parse({ strategy, document, inspection });

    // Assess
    expect(parsed).toEqual({ strategy, document, inspection });
  });

  it('accepts the textract-async task with its token, and requires the token', () => {
    // Act
    const parsed = schema.safeParse({ strategy: 'textract-async', document, inspection, taskToken: 'token' });
    const withoutToken = schema.safeParse({ strategy: 'textract-async', document, inspection });

    // Assess
    expect(parsed.success && parsed.data).toMatchObject({ strategy: 'textract-async', taskToken: 'token' });
    expect(withoutToken.success).toBe(false);
  });

  it.each([
    { kind: 'an unknown strategy', event: { strategy: 'none', document, inspection } },
    { kind: 'no inspection', event: { strategy: 'local', document } },
    {
      kind: 'a document without an id',
      event: { strategy: 'local', document: { ...document, id: '' }, inspection },
    },
  ])('refuses $kind', ({ event }) => {
    // Act
    const parsed = schema.safeParse(event);

    // Assess
    expect(parsed.success).toBe(false);
  });
});
