import type { APIGatewayProxyEvent } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRouter } from '../../../../lambdas/api/router';
import { problemSchema } from '../../../../lambdas/api/schemas';
import { uploadTicketSchema } from '../../../../lambdas/api/upload-schemas';
import { uploadRoutes } from '../../../../lambdas/api/uploads';
import { documentId } from '../../../../lambdas/shared/documents/document';
import { apiEvent } from '../../../fixtures/api-gateway-events';
import { RecordingUploadSigner } from '../../../support/recording-upload-signer';

const BUCKET = 'docflow-uploads';
const MAX = 1000;
const NOW = new Date('2026-11-23T23:59:59.000Z');

const setup = () => {
  const signer = new RecordingUploadSigner();
  let ids = 0;
  const route = createRouter(
    uploadRoutes(signer, {
      bucket: BUCKET,
      maxDocumentBytes: MAX,
      expiresInSeconds: 900,
      now: () => NOW,
      newId: () => `id-${++ids}`,
    }),
  );
  const post = async (
    body: unknown,
    options: { contentType?: string; raw?: string; base64?: boolean; method?: string } = {},
  ) => {
    const text = options.raw ?? JSON.stringify(body);
    const event: APIGatewayProxyEvent = {
      ...apiEvent(options.method ?? 'POST', '/uploads'),
      headers: { Host: 'api.example.com', 'Content-Type': options.contentType ?? 'application/json' },
      body: options.base64 ? Buffer.from(text).toString('base64') : text,
      isBase64Encoded: options.base64 ?? false,
    };
    const result = await route(event);
    return {
      status: result.statusCode,
      headers: result.headers ?? {},
      body: JSON.parse(result.body) as unknown,
    };
  };
  return { signer, post };
};

const aRequest = { filename: 'Quarterly report.pdf', contentType: 'application/pdf', size: 512 };

/** The members a 400 names, each with its message. */
const errorsOf = (body: unknown) =>
  (problemSchema.parse(body).errors ?? []).map((error) => [error.parameter, error.message]);

describe('POST /uploads', () => {
  it('mints a presigned POST for a server-chosen key under incoming/, keeping the name readable', async () => {
    // Prepare
    const { signer, post } = setup();

    // Act
    const response = await post(aRequest);

    // Assess
    expect(response.status).toBe(200);
    const ticket = uploadTicketSchema.parse(response.body);
    const key = 'incoming/uploads/2026-11-23/id-1/Quarterly report.pdf';
    expect(signer.requests).toEqual([
      { bucket: BUCKET, key, contentType: 'application/pdf', size: 512, expiresInSeconds: 900 },
    ]);
    expect(ticket).toEqual({
      url: `https://s3.example/${BUCKET}`,
      fields: { 'Content-Type': 'application/pdf', key, Policy: 'recorded' },
      key,
      documentId: documentId(BUCKET, key),
      expiresAt: '2026-11-23T12:15:00.000Z',
    });
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('gives two uploads of one name two keys', async () => {
    // Prepare
    const { post } = setup();

    // Act
    const first = uploadTicketSchema.parse((await post(aRequest)).body);
    const second = uploadTicketSchema.parse((await post(aRequest)).body);

    // Assess
    expect(first.key).not.toBe(second.key);
    expect(first.documentId).not.toBe(second.documentId);
  });

  it('normalizes the name to NFC and the media type’s type and subtype to lower case', async () => {
    // Prepare
    const { signer, post } = setup();

    // Act
    await post({ filename: 'Cafe\u0301 menu.txt', contentType: 'Text/Plain; charset=UTF-8', size: 10 });

    // Assess
    expect(signer.requests[0]?.key).toBe('incoming/uploads/2026-11-23/id-1/Caf\u00e9 menu.txt');
    expect(signer.requests[0]?.contentType).toBe('text/plain; charset=UTF-8');
  });

  it('takes a body API Gateway base64-encoded', async () => {
    // Prepare
    const { post } = setup();

    // Act
    const response = await post(aRequest, { base64: true });

    // Assess
    expect(response.status).toBe(200);
  });

  it.each([
    ['empty', ''],
    ['a path', 'reports/q3.pdf'],
    ['a Windows path', '..\\..\\q3.pdf'],
    ['a dot', '.'],
    ['two dots', '..'],
    ['only spaces', '   '],
    ['a control character', 'q3\u0000.pdf'],
    ['a right-to-left override', 'invoice\u202efdp.exe'],
    ['the POST file name variable', `\${filename}.pdf`],
    ['over 255 bytes of UTF-8', `${'é'.repeat(128)}.pdf`],
    ['a lone surrogate', 'q3\ud800.pdf'],
  ])('refuses a file name that is %s, naming the member', async (_, filename) => {
    // Prepare
    const { signer, post } = setup();

    // Act
    const response = await post({ ...aRequest, filename });

    // Assess
    expect(response.status).toBe(400);
    expect(errorsOf(response.body).map(([member]) => member)).toEqual(['filename']);
    expect(signer.requests).toEqual([]);
  });

  it.each([
    ['zero', 0, 'must be at least 1 byte'],
    ['a fraction', 1.5, undefined],
    ['a string', '512', undefined],
    ['over the limit', MAX + 1, `must be at most ${MAX} bytes (this deployment's MAX_DOCUMENT_BYTES)`],
  ])('refuses a size that is %s', async (_, size, message) => {
    // Prepare
    const { post } = setup();

    // Act
    const response = await post({ ...aRequest, size });

    // Assess
    expect(response.status).toBe(400);
    const errors = errorsOf(response.body);
    expect(errors.map(([member]) => member)).toEqual(['size']);
    if (message) expect(errors[0]?.[1]).toBe(message);
  });

  it('takes a size of exactly the limit', async () => {
    // Prepare
    const { signer, post } = setup();

    // Act
    const response = await post({ ...aRequest, size: MAX });

    // Assess
    expect(response.status).toBe(200);
    expect(signer.requests[0]?.size).toBe(MAX);
  });

  it.each(['pdf', 'application/', 'text/plain extra', 'text/plain; charset', 'text/plain\r\nX-Injected: 1'])(
    'refuses the content type %j',
    async (contentType) => {
      // Prepare
      const { post } = setup();

      // Act
      const response = await post({ ...aRequest, contentType });

      // Assess
      expect(response.status).toBe(400);
      expect(errorsOf(response.body)).toEqual([
        ['contentType', 'must be a media type such as application/pdf'],
      ]);
    },
  );

  it('lists every missing and unknown member at once', async () => {
    // Prepare
    const { post } = setup();

    // Act
    const response = await post({ filename: 'a.pdf', bucket: 'elsewhere', key: 'x' });

    // Assess
    expect(response.status).toBe(400);
    expect(
      errorsOf(response.body)
        .map(([member]) => member)
        .sort(),
    ).toEqual(['bucket', 'contentType', 'key', 'size']);
  });

  it.each([
    ['not JSON', { raw: '{"filename":' }, 400],
    ['empty', { raw: '' }, 400],
    ['a JSON array', { raw: '[]' }, 400],
    ['text/plain', { contentType: 'text/plain' }, 415],
    ['form-encoded', { contentType: 'application/x-www-form-urlencoded' }, 415],
  ])('answers a body that is %s with a problem', async (_, options, status) => {
    // Prepare
    const { signer, post } = setup();

    // Act
    const response = await post(aRequest, options);

    // Assess
    expect(response.status).toBe(status);
    expect(problemSchema.parse(response.body).status).toBe(status);
    expect(signer.requests).toEqual([]);
  });

  it('answers another method with 405 naming POST', async () => {
    // Prepare
    const { post } = setup();

    // Act
    const response = await post(aRequest, { method: 'GET' });

    // Assess
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('POST');
  });

  it('never answers 500, whatever the JSON body (property)', async () => {
    // Prepare
    const { post } = setup();

    // Act, Assess
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue(),
          fc.record(
            { filename: fc.string(), contentType: fc.string(), size: fc.oneof(fc.integer(), fc.double()) },
            { requiredKeys: [] },
          ),
        ),
        async (body) => {
          const response = await post(body);
          expect([200, 400]).toContain(response.status);
        },
      ),
      { numRuns: 300 },
    );
  });
});
