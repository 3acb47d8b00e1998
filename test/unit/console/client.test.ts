import { describe, expect, it } from 'vitest';
import { ConsoleApiError, ConsoleClient } from '../../../console/app/api/client';

interface Seen {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

/** A fetch that records each request and answers with the given status and body. */
const answering = (status: number, body: unknown, seen: Seen[] = []) => {
  const fetchImpl: typeof fetch = async (input, init) => {
    seen.push({
      url: String(input),
      method: init?.method ?? 'GET',
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
      ...(typeof init?.body === 'string' ? { body: init.body } : {}),
    });
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), {
      status,
      statusText: 'Status',
    });
  };
  return { fetchImpl, seen };
};

const problem = (status: number, detail: string, errors?: unknown) => ({
  type: 'about:blank',
  title: 'Bad Request',
  status,
  detail,
  ...(errors ? { errors } : {}),
});

describe('ConsoleClient', () => {
  it('sends only the filters that are set, on the console’s own origin', async () => {
    // Prepare
    const { fetchImpl, seen } = answering(200, { items: [], nextCursor: null });
    const client = new ConsoleClient('http://127.0.0.1:4568/', fetchImpl);

    // Act
    const list = await client.listDocuments({ status: 'REJECTED', type: 'pdf', limit: 50 });

    // Assess
    expect(list).toEqual({ items: [], nextCursor: null });
    expect(seen.map((request) => [request.method, request.url])).toEqual([
      ['GET', 'http://127.0.0.1:4568/api/documents?status=REJECTED&type=pdf&limit=50'],
    ]);
    expect(seen[0]?.headers.accept).toBe('application/json');
  });

  it('encodes ids and ARNs as one path segment', async () => {
    // Prepare
    const { fetchImpl, seen } = answering(200, {});
    const client = new ConsoleClient('http://127.0.0.1:4568', fetchImpl);
    const arn = 'arn:aws:states:us-east-1:000000000000:execution:Machine:report-pdf-ab12';

    // Act
    await client.execution(arn);
    await client.executionHistory(arn);
    await client.text('a/b?c', 3);

    // Assess
    expect(seen.map((request) => request.url)).toEqual([
      `http://127.0.0.1:4568/api/executions/${encodeURIComponent(arn)}`,
      `http://127.0.0.1:4568/api/executions/${encodeURIComponent(arn)}/history`,
      'http://127.0.0.1:4568/api/documents/a%2Fb%3Fc/text?page=3',
    ]);
    expect(client.thumbnailUrl('doc id', 'v/1')).toBe(
      'http://127.0.0.1:4568/api/documents/doc%20id/thumbnail?v=v%2F1',
    );
    expect(client.originalUrl('abc')).toBe('http://127.0.0.1:4568/api/documents/abc/original');
  });

  it('posts an upload request as JSON, which the server’s change guard requires', async () => {
    // Prepare
    const ticket = {
      url: 'http://127.0.0.1:4566/bucket',
      fields: { key: 'incoming/uploads/x/a.pdf' },
      key: 'incoming/uploads/x/a.pdf',
      expiresAt: '2026-12-01T00:00:00.000Z',
      documentId: 'AAAAAAAAAAAAAAAAAAAAAA',
    };
    const { fetchImpl, seen } = answering(201, ticket);
    const client = new ConsoleClient('http://127.0.0.1:4568', fetchImpl);

    // Act
    const answer = await client.requestUpload({
      filename: 'a.pdf',
      contentType: 'application/pdf',
      size: 10,
    });

    // Assess
    expect(answer).toEqual(ticket);
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: 'http://127.0.0.1:4568/api/uploads',
      body: '{"filename":"a.pdf","contentType":"application/pdf","size":10}',
    });
    expect(seen[0]?.headers['content-type']).toBe('application/json');
  });

  it('turns problem details into a ConsoleApiError with each rejected parameter', async () => {
    // Prepare
    const { fetchImpl } = answering(
      400,
      problem(400, 'One or more parameters are invalid.', [
        { parameter: 'size', message: 'must be at most 10 bytes' },
      ]),
    );
    const client = new ConsoleClient('http://127.0.0.1:4568', fetchImpl);

    // Act
    const error = await client
      .requestUpload({ filename: 'a', contentType: 'text/plain', size: 11 })
      .catch((e) => e);

    // Assess
    expect(error).toBeInstanceOf(ConsoleApiError);
    expect(error).toMatchObject({
      status: 400,
      title: 'Bad Request',
      detail: 'One or more parameters are invalid.',
      parameters: [{ parameter: 'size', message: 'must be at most 10 bytes' }],
    });
  });

  it('reads API Gateway’s own refusals, which carry `message`, and bodies that are not JSON', async () => {
    // Prepare
    const gateway = new ConsoleClient(
      'http://x',
      answering(403, { message: 'Missing Authentication Token' }).fetchImpl,
    );
    const html = new ConsoleClient('http://x', answering(502, '<html>Bad gateway</html>').fetchImpl);

    // Act
    const refused = await gateway.listDocuments().catch((e) => e);
    const broken = await html.listDocuments().catch((e) => e);

    // Assess
    expect(refused).toMatchObject({ status: 403, detail: 'Missing Authentication Token' });
    expect(broken).toMatchObject({ status: 502, title: 'Status', detail: '<html>Bad gateway</html>' });
  });

  it('answers undefined for a document that has no record yet, and throws on other errors', async () => {
    // Prepare
    const missing = new ConsoleClient('http://x', answering(404, problem(404, 'no document')).fetchImpl);
    const failing = new ConsoleClient('http://x', answering(500, problem(500, 'boom')).fetchImpl);

    // Act
    const absent = await missing.document('abc');
    const error = await failing.document('abc').catch((e) => e);

    // Assess
    expect(absent).toBeUndefined();
    expect(error).toMatchObject({ status: 500, detail: 'boom' });
  });

  it('says the console is unreachable when fetch itself fails, and lets an abort through', async () => {
    // Prepare
    const down = new ConsoleClient('http://x', async () => {
      throw new TypeError('fetch failed');
    });
    const aborted = new ConsoleClient('http://x', async () => {
      throw new DOMException('aborted', 'AbortError');
    });

    // Act
    const unreachable = await down.config().catch((e) => e);
    const abort = await aborted.config().catch((e) => e);

    // Assess
    expect(unreachable).toMatchObject({ name: 'ConsoleApiError', status: 0, title: 'Console unreachable' });
    expect(abort).toMatchObject({ name: 'AbortError' });
  });
});
