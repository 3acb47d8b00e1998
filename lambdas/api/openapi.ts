import * as z from '../shared/runtime/zod';
import { costsQuery } from './costs';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPES } from './problems';
import { apiSchemas, documentPathParameters, listDocumentsQuery, textQuery } from './schemas';
// Register the reprocess and upload shapes in apiSchemas, which their operations refer to.
import './reprocess-schemas';
import './upload-schemas';

type JsonSchema = Record<string, unknown>;

/** The subset of an OpenAPI 3.1 document this API produces. */
export interface OpenApiDocument {
  readonly openapi: '3.1.0';
  readonly info: { readonly title: string; readonly version: string; readonly description: string };
  readonly paths: Record<string, Record<string, OpenApiOperation>>;
  readonly components: { readonly schemas: Record<string, JsonSchema> };
}

export interface OpenApiOperation {
  readonly operationId: string;
  readonly summary: string;
  readonly parameters: readonly OpenApiParameter[];
  readonly requestBody?: {
    readonly required: true;
    readonly content: Record<string, { readonly schema: JsonSchema }>;
  };
  readonly responses: Record<string, OpenApiResponse>;
}

interface OpenApiParameter {
  readonly name: string;
  readonly in: 'path' | 'query';
  readonly required: boolean;
  readonly description?: string;
  readonly schema: JsonSchema;
}

interface OpenApiResponse {
  readonly description: string;
  readonly content?: Record<string, { readonly schema: JsonSchema }>;
}

const ref = (id: string): JsonSchema => ({ $ref: `#/components/schemas/${id}` });

/**
 * One parameter per property of a request schema. Property schemas come from the parsed (output)
 * side, so `limit` reads as an integer 1–100; whether it is required comes from the input side,
 * where a default makes it optional.
 */
const parametersOf = (schema: z.ZodMiniObject, location: 'path' | 'query'): OpenApiParameter[] => {
  const output = z.toJSONSchema(schema, { io: 'output' }) as { properties?: Record<string, JsonSchema> };
  const input = z.toJSONSchema(schema, { io: 'input' }) as { required?: string[] };
  return Object.entries(output.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: location,
      required: location === 'path' || (input.required ?? []).includes(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
};

const json = (id: string, description: string): OpenApiResponse => ({
  description,
  content: { 'application/json': { schema: ref(id) } },
});

const problem = (description: string): OpenApiResponse => ({
  description,
  content: { [PROBLEM_CONTENT_TYPE]: { schema: ref('Problem') } },
});

const errors = {
  '400': problem(
    `A parameter is invalid (type \`${PROBLEM_TYPES.invalidParameter}\`) or the cursor was altered, signed elsewhere or reused with other filters (\`${PROBLEM_TYPES.invalidCursor}\`).`,
  ),
  '405': problem('The path exists, but not for this method (see the Allow header).'),
  '500': problem('Unexpected failure; the detail carries only a request id.'),
} as const;

/** Components generated from the zod response schemas, without the per-schema `$schema`/`$id` noise. */
const componentSchemas = (): Record<string, JsonSchema> => {
  const { schemas } = z.toJSONSchema(apiSchemas, { uri: (id) => `#/components/schemas/${id}` });
  return Object.fromEntries(
    Object.entries(schemas).map(([id, schema]) => {
      const { $schema: _schema, $id: _id, ...rest } = schema as JsonSchema;
      return [id, rest];
    }),
  );
};

/** The OpenAPI 3.1 description of the query API (JSON Schema 2020-12, which is what zod emits). */
export const buildOpenApiDocument = (): OpenApiDocument => ({
  openapi: '3.1.0',
  info: {
    title: 'docflow query API',
    version: '1.0.0',
    description:
      'Read the documents the docflow pipeline processed: list them, fetch one with presigned URLs, read its extracted text, run one again; mint presigned POSTs that upload a file straight to S3. Errors are RFC 9457 problem details.',
  },
  paths: {
    '/documents': {
      get: {
        operationId: 'listDocuments',
        summary: 'List documents, newest upload first',
        parameters: parametersOf(listDocumentsQuery, 'query'),
        responses: { '200': json('DocumentList', 'One page of documents.'), ...errors },
      },
    },
    '/documents/{id}': {
      get: {
        operationId: 'getDocument',
        summary: 'One document, with short-lived download URLs and its execution',
        parameters: parametersOf(documentPathParameters, 'path'),
        responses: {
          '200': json('DocumentDetail', 'The document.'),
          '404': problem('No document with this id.'),
          ...errors,
        },
      },
    },
    '/documents/{id}/text': {
      get: {
        operationId: 'getDocumentText',
        summary: 'The extracted text, a few pages at a time',
        parameters: [...parametersOf(documentPathParameters, 'path'), ...parametersOf(textQuery, 'query')],
        responses: {
          '200': json('TextPage', 'The requested pages.'),
          '404': problem(
            `No document with this id, or it has no extracted text (type \`${PROBLEM_TYPES.textUnavailable}\`).`,
          ),
          '410': problem(`The document was deleted (type \`${PROBLEM_TYPES.documentDeleted}\`).`),
          ...errors,
        },
      },
    },
    '/documents/{id}/reprocess': {
      post: {
        operationId: 'reprocessDocument',
        summary:
          'Run the recorded version again (after a limit was raised or docflow upgraded), as its next generation',
        parameters: parametersOf(documentPathParameters, 'path'),
        responses: {
          '202': json(
            'ReprocessTicket',
            'Queued for the starter, the way uploads go; the record turns PROCESSING when the run begins, and keeps the newest run’s result.',
          ),
          '404': problem('No document with this id.'),
          '409': problem(
            `The document is being processed (type \`${PROBLEM_TYPES.documentInFlight}\`), or its record lacks what a run needs, such as the size of a run that failed before it read it (\`${PROBLEM_TYPES.notReprocessable}\`).`,
          ),
          '410': problem(`The document was deleted (type \`${PROBLEM_TYPES.documentDeleted}\`).`),
          ...errors,
        },
      },
    },
    '/costs': {
      get: {
        operationId: 'summarizeCosts',
        summary:
          'The modelled AWS cost of the documents uploaded in a range: totals, parts, and per type, text strategy and status',
        parameters: parametersOf(costsQuery, 'query'),
        responses: {
          '200': json(
            'CostSummary',
            'The figures of the documents read; with `nextCursor`, ask again for the rest and add them up.',
          ),
          ...errors,
        },
      },
    },
    '/uploads': {
      post: {
        operationId: 'createUpload',
        summary: 'Mint an S3 presigned POST that uploads one file into the pipeline',
        parameters: [],
        requestBody: { required: true, content: { 'application/json': { schema: ref('UploadRequest') } } },
        responses: {
          '200': json(
            'UploadTicket',
            'POST the fields, then the file as the part named `file`, to `url` as multipart/form-data before `expiresAt`.',
          ),
          '400': problem(
            `A member of the body is missing or invalid, or the size is over the limit (type \`${PROBLEM_TYPES.invalidParameter}\`; \`errors\` names each member).`,
          ),
          '405': errors['405'],
          '415': problem('The body is not application/json.'),
          '500': errors['500'],
        },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'getOpenApi',
        summary: 'This document',
        parameters: [],
        responses: { '200': { description: 'The OpenAPI 3.1 document.' } },
      },
    },
  },
  components: { schemas: componentSchemas() },
});
