import { describe, expect, it } from 'vitest';
import { ApiError, HttpDocumentsApi } from '../../../../cli/adapters/http-documents-api';
import type { HttpRequest, HttpRequestInit } from '../../../../cli/adapters/sigv4-fetch';

const API_URL = 'https://abc123.execute-api.eu-west-1.amazonaws.com/v1/';
const ID = 'AbCdEfGhIjKlMnOpQrStUv';

/** Answers every request with one response, and records what was asked. */
const answering = (status: number, body: unknown) => {
  const calls: { url: string; init?: HttpRequestInit }[] = [];
  const request: HttpRequest = async (url, init) => {
    calls.push({ url: String(url), ...(init ? { init } : {}) });
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status });
  };
  return { api: new HttpDocumentsApi(API_URL, request), calls };
};

const problem = (status: number, type: string, detail: string) => ({ type, title: 'x', status, detail });

describe('HttpDocumentsApi.reprocess', () => {
  it('POSTs to the document’s reprocess resource and returns the ticket', async () => {
    // Prepare
    const ticket = { documentId: ID, version: 'v-1', generation: 2, executionName: 'a-pdf-0123-g2' };
    const { api, calls } = answering(202, ticket);

    // Act
    const answer = await api.reprocess(ID);

    // Assess
    expect(answer).toEqual({ outcome: 'queued', ticket });
    expect(calls).toEqual([{ url: `${API_URL}documents/${ID}/reprocess`, init: { method: 'POST' } }]);
  });

  it.each([
    [409, 'tag:docflow,2026:problem:document-in-flight', 'in-flight'],
    [409, 'tag:docflow,2026:problem:not-reprocessable', 'not-reprocessable'],
    [410, 'tag:docflow,2026:problem:document-deleted', 'deleted'],
    [404, 'about:blank', 'not-found'],
  ])('reads a %i of type %s as %s, with the detail', async (status, type, outcome) => {
    // Prepare
    const { api } = answering(status, problem(status, type, `document ${ID} says no`));

    // Act
    const answer = await api.reprocess(ID);

    // Assess
    expect(answer).toEqual({ outcome, detail: `document ${ID} says no` });
  });

  it('throws for any other answer: an error, a 409 of another kind, a ticket of another shape', async () => {
    // Prepare
    const failures = [
      answering(500, problem(500, 'about:blank', 'Request id: r-1')),
      answering(403, { message: 'User is not authorized' }),
      answering(409, problem(409, 'tag:docflow,2026:problem:something-else', 'no')),
      answering(202, { documentId: ID }),
    ];

    // Act
    const answers = await Promise.allSettled(failures.map(({ api }) => api.reprocess(ID)));

    // Assess
    expect(answers.map((answer) => (answer.status === 'rejected' ? answer.reason : answer.value))).toEqual([
      expect.objectContaining({ name: 'ApiError', status: 500 }),
      expect.objectContaining({ name: 'ApiError', message: 'API 403: User is not authorized' }),
      expect.objectContaining({ name: 'ApiError', status: 409 }),
      expect.any(ApiError),
    ]);
  });
});
