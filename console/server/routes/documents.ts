import { Hono } from 'hono';
import { z } from 'zod';
import { type DocumentDetail, documentDetailSchema } from '../../../lambdas/api/schemas';
import { documentId } from '../../../lambdas/shared/documents/document';
import type { UploadTicket } from '../../shared/api';
import { badRequest, type ErrorLog, problemOf, problemResponse } from '../problems';
import { type ApiAnswer, type QueryApi, relay } from '../query-api';

export interface DocumentRoutesOptions {
  readonly api: QueryApi;
  /** The UploadsBucketName output: a document's id is derived from bucket and key. */
  readonly uploadsBucket: string;
  readonly log: ErrorLog;
}

const LIST_PARAMETERS = ['status', 'type', 'uploadedAfter', 'uploadedBefore', 'limit', 'cursor'] as const;
const TEXT_PARAMETERS = ['page', 'pageSize'] as const;

const pick = (query: Record<string, string>, names: readonly string[]): Record<string, string | undefined> =>
  Object.fromEntries(names.map((name) => [name, query[name]]));

/** The request body of `POST /uploads`, checked here so that a bad one never costs a signed call. */
const uploadRequest = z.strictObject({
  filename: z.string().min(1).max(1024),
  contentType: z.string().max(255),
  size: z.number().int().min(0),
});

/** The query API's presigned POST (`POST /uploads`); the id is derived here when the API leaves it out. */
const uploadTicket = z.object({
  url: z.url(),
  fields: z.record(z.string(), z.string()),
  key: z.string().min(1),
  expiresAt: z.string(),
  documentId: z.string().optional(),
});

/** How long the browser may keep a redirect to a presigned URL: well within the URL's own lifetime. */
const REDIRECT_MAX_AGE_SECONDS = 60;

/**
 * The query API's document routes under `/api`, passed through with signatures, plus two redirects to
 * fresh presigned URLs (thumbnail, original) so that an `<img>` or a download link never holds an
 * expired URL, and the upload ticket with the id the document will have.
 */
export const documentRoutes = ({ api, uploadsBucket, log }: DocumentRoutesOptions): Hono => {
  const routes = new Hono();
  const call = async (request: () => Promise<ApiAnswer>): Promise<Response> => {
    try {
      return relay(await request());
    } catch (error) {
      return problemOf(error, api.description, log);
    }
  };

  routes.get('/documents', (c) => call(() => api.get('documents', pick(c.req.query(), LIST_PARAMETERS))));

  routes.get('/documents/:id', (c) =>
    call(() => api.get(`documents/${encodeURIComponent(c.req.param('id'))}`)),
  );

  routes.get('/documents/:id/text', (c) =>
    call(() =>
      api.get(
        `documents/${encodeURIComponent(c.req.param('id'))}/text`,
        pick(c.req.query(), TEXT_PARAMETERS),
      ),
    ),
  );

  const redirectTo =
    (choose: (detail: DocumentDetail) => string | undefined, what: string) =>
    async (id: string): Promise<Response> => {
      let answer: ApiAnswer;
      try {
        answer = await api.get(`documents/${encodeURIComponent(id)}`);
      } catch (error) {
        return problemOf(error, api.description, log);
      }
      if (answer.status !== 200) return relay(answer);
      const parsed = documentDetailSchema.safeParse(JSON.parse(answer.text));
      if (!parsed.success) {
        log('console: the query API answered a document with an unexpected body', parsed.error);
        return problemResponse(502, 'Bad Gateway', 'the query API answered with an unexpected body');
      }
      const url = choose(parsed.data);
      if (url === undefined) return problemResponse(404, 'Not Found', `the document has no ${what}`);
      return new Response(null, {
        status: 302,
        headers: { location: url, 'cache-control': `private, max-age=${REDIRECT_MAX_AGE_SECONDS}` },
      });
    };
  const thumbnail = redirectTo((detail) => detail.thumbnail?.url, 'thumbnail');
  const original = redirectTo((detail) => detail.original?.url, 'original to download');
  routes.get('/documents/:id/thumbnail', (c) => thumbnail(c.req.param('id')));
  routes.get('/documents/:id/original', (c) => original(c.req.param('id')));

  routes.post('/uploads', async (c) => {
    const body = uploadRequest.safeParse(await c.req.json().catch(() => undefined));
    if (!body.success) return badRequest(body.error);
    let answer: ApiAnswer;
    try {
      answer = await api.post('uploads', body.data);
    } catch (error) {
      return problemOf(error, api.description, log);
    }
    if (answer.status < 200 || answer.status > 299) return relay(answer);
    const ticket = uploadTicket.safeParse(JSON.parse(answer.text));
    if (!ticket.success) {
      log('console: the query API answered POST /uploads with an unexpected body', ticket.error);
      return problemResponse(
        502,
        'Bad Gateway',
        'the query API answered POST /uploads with an unexpected body',
      );
    }
    const result: UploadTicket = {
      ...ticket.data,
      documentId: ticket.data.documentId ?? documentId(uploadsBucket, ticket.data.key),
    };
    return c.json(result, 201, { 'cache-control': 'no-store' });
  });

  return routes;
};
