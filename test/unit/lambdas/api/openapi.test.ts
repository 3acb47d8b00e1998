import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../../../lambdas/api/openapi';
import { createRouter } from '../../../../lambdas/api/router';
import { apiRoutes } from '../../../../lambdas/api/routes';
import { apiEvent } from '../../../fixtures/api-gateway-events';
import {
  InMemoryDocumentCatalog,
  InMemoryTextStore,
  RecordingUrlSigner,
} from '../../../support/in-memory-document-catalog';
import { RecordingIngestQueue } from '../../../support/recording-ingest-queue';
import { recordingUploads } from '../../../support/recording-upload-signer';

const routes = apiRoutes(
  { catalog: new InMemoryDocumentCatalog(), texts: new InMemoryTextStore(), urls: new RecordingUrlSigner() },
  { cursorSecret: 'unit-test-cursor-secret-0123456789abcdef', urlTtlSeconds: 300, region: 'us-east-1' },
  recordingUploads(),
  new RecordingIngestQueue(),
);

describe('OpenAPI document', () => {
  it('describes exactly the routes the router knows', () => {
    // Prepare
    const document = buildOpenApiDocument();

    // Act
    const described = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );

    // Assess
    expect(described.sort()).toEqual(routes.map((route) => `${route.method} ${route.path}`).sort());
  });

  it('is served at /openapi.json as OpenAPI 3.1 with the problem shape', async () => {
    // Prepare
    const route = createRouter(routes);

    // Act
    const result = await route(apiEvent('GET', '/openapi.json'));

    // Assess
    expect(result.statusCode).toBe(200);
    const document = JSON.parse(result.body);
    expect(document.openapi).toBe('3.1.0');
    expect(document.components.schemas.Problem).toMatchObject({
      type: 'object',
      required: ['type', 'title', 'status', 'detail'],
    });
    expect(document.paths['/documents/{id}'].get.responses['404'].content).toEqual({
      'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
    });
  });

  it('documents the query parameters from the zod schemas, with their limits and defaults', () => {
    // Act
    const list = buildOpenApiDocument().paths['/documents']?.get;
    const text = buildOpenApiDocument().paths['/documents/{id}/text']?.get;

    // Assess
    const limit = list?.parameters.find((parameter) => parameter.name === 'limit');
    expect(limit).toMatchObject({
      in: 'query',
      required: false,
      schema: { type: 'integer', minimum: 1, maximum: 100, default: 25 },
    });
    expect(list?.parameters.map((parameter) => parameter.name)).toEqual([
      'status',
      'type',
      'uploadedAfter',
      'uploadedBefore',
      'limit',
      'cursor',
    ]);
    expect(list?.parameters.find((parameter) => parameter.name === 'status')?.schema).toEqual({
      type: 'string',
      enum: ['PROCESSING', 'PROCESSED', 'REJECTED', 'FAILED', 'DELETED'],
    });
    expect(text?.parameters.map((parameter) => [parameter.name, parameter.in, parameter.required])).toEqual([
      ['id', 'path', true],
      ['page', 'query', false],
      ['pageSize', 'query', false],
    ]);
  });

  it('describes the upload request body and its answer from the zod schemas', () => {
    // Act
    const document = buildOpenApiDocument();
    const upload = document.paths['/uploads']?.post;

    // Assess
    expect(upload?.requestBody).toEqual({
      required: true,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/UploadRequest' } } },
    });
    expect(document.components.schemas.UploadRequest).toMatchObject({
      type: 'object',
      required: ['filename', 'contentType', 'size'],
      additionalProperties: false,
      properties: { size: { type: 'integer', minimum: 1 }, filename: { maxLength: 255 } },
    });
    expect(Object.keys(upload?.responses ?? {}).sort()).toEqual(['200', '400', '405', '415', '500']);
  });

  it('resolves every $ref to a component', () => {
    // Prepare
    const document = buildOpenApiDocument();
    const refs = JSON.stringify(document).match(/"\$ref":"[^"]+"/g) ?? [];

    // Act
    const missing = refs
      .map((ref) => ref.slice('"$ref":"#/components/schemas/'.length, -1))
      .filter((id) => !(id in document.components.schemas));

    // Assess
    expect(refs.length).toBeGreaterThan(5);
    expect(missing).toEqual([]);
  });
});
