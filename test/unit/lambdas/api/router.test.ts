import type { APIGatewayProxyResult } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { InvalidParameterError, type ProblemDetails } from '../../../../lambdas/api/problems';
import { type ApiRequest, createRouter, type Route } from '../../../../lambdas/api/router';
import { apiEvent } from '../../../fixtures/api-gateway-events';

const echo =
  (name: string): Route['handle'] =>
  async (request: ApiRequest) => ({
    status: 200,
    body: { route: name, params: request.params, query: request.query },
  });

const routes: Route[] = [
  { method: 'GET', path: '/documents', handle: echo('list') },
  { method: 'GET', path: '/documents/{id}', handle: echo('get') },
  { method: 'DELETE', path: '/documents/{id}', handle: echo('delete') },
  { method: 'GET', path: '/documents/latest', handle: echo('latest') },
  { method: 'GET', path: '/documents/{id}/text', handle: echo('text') },
];

const json = (body: string | undefined): Record<string, unknown> => JSON.parse(body ?? 'null');

/** Asserts an RFC 9457 problem answer: its status, its media type and the whole problem. */
const expectProblem = (result: APIGatewayProxyResult, problem: ProblemDetails) => {
  expect(result.statusCode).toBe(problem.status);
  expect(result.headers?.['content-type']).toBe('application/problem+json');
  expect(json(result.body)).toEqual(problem);
};

describe('createRouter', () => {
  it('dispatches to the route of method and path, with decoded parameters', async () => {
    // Prepare
    const route = createRouter(routes);

    // Act
    const result = await route(apiEvent('GET', '/documents/a%20b%2Fc/text', { page: '2' }));

    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.headers).toMatchObject({ 'content-type': 'application/json', 'cache-control': 'no-store' });
    expect(json(result.body)).toEqual({ route: 'text', params: { id: 'a b/c' }, query: { page: '2' } });
  });

  it('tells onRoute the chosen route and its decoded parameters before the route runs', async () => {
    // Prepare
    const seen: string[] = [];
    const route = createRouter(
      routes.map((entry) => ({
        ...entry,
        handle: async (request: ApiRequest) => {
          seen.push('handled');
          return entry.handle(request);
        },
      })),
      { onRoute: ({ method, path }, { params }) => seen.push(`${method} ${path} ${JSON.stringify(params)}`) },
    );

    // Act
    await route(apiEvent('GET', '/documents/a%20b/text'));
    await route(apiEvent('GET', '/nothing/here'));

    // Assess
    expect(seen).toEqual(['GET /documents/{id}/text {"id":"a b"}', 'handled']);
  });

  it('prefers a literal segment over a parameter, and ignores one trailing slash', async () => {
    // Prepare
    const route = createRouter(routes);

    // Act
    const latest = await route(apiEvent('GET', '/documents/latest/'));
    const other = await route(apiEvent('GET', '/documents/other'));

    // Assess
    expect(json(latest.body).route).toBe('latest');
    expect(json(other.body)).toMatchObject({ route: 'get', params: { id: 'other' } });
  });

  it('answers an unknown path with a 404 problem', async () => {
    // Prepare
    const route = createRouter(routes);

    // Act
    const result = await route(apiEvent('GET', '/nothing/here'));

    // Assess
    expectProblem(result, {
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'no resource at /nothing/here',
    });
  });

  it('answers a known path with the wrong method with a 405 and an Allow header', async () => {
    // Prepare
    const route = createRouter(routes);

    // Act
    const result = await route(apiEvent('POST', '/documents/abc'));

    // Assess
    expect(result.statusCode).toBe(405);
    expect(result.headers?.allow).toBe('GET, DELETE');
    expect(json(result.body)).toMatchObject({ status: 405, title: 'Method Not Allowed' });
  });

  it('answers an empty parameter segment with a 404, not a match', async () => {
    // Prepare
    const route = createRouter(routes);

    // Act
    const result = await route(apiEvent('GET', '/documents//text'));

    // Assess
    expect(result.statusCode).toBe(404);
  });

  it('answers malformed percent-encoding with a 400', async () => {
    // Prepare
    const route = createRouter(routes);

    // Act
    const result = await route(apiEvent('GET', '/documents/%E0%A4%A'));

    // Assess
    expect(result.statusCode).toBe(400);
    expect(json(result.body)).toMatchObject({
      status: 400,
      errors: [{ parameter: 'path', message: 'malformed percent-encoding' }],
    });
  });

  it('refuses a repeated query parameter with a 400', async () => {
    // Prepare
    const route = createRouter(routes);

    // Act
    const result = await route(apiEvent('GET', '/documents', { status: ['PROCESSED', 'FAILED'] }));

    // Assess
    expect(result.statusCode).toBe(400);
    expect(json(result.body).errors).toEqual([
      { parameter: 'status', message: 'must be given at most once' },
    ]);
  });

  it('maps a problem error thrown by a route to its status and problem body', async () => {
    // Prepare
    const route = createRouter([
      {
        method: 'GET',
        path: '/boom',
        handle: async () => {
          throw new InvalidParameterError([{ parameter: 'limit', message: 'too big' }]);
        },
      },
    ]);

    // Act
    const result = await route(apiEvent('GET', '/boom'));

    // Assess
    expectProblem(result, {
      type: 'tag:docflow,2026:problem:invalid-parameter',
      title: 'Invalid request parameter',
      status: 400,
      detail: 'limit: too big',
      errors: [{ parameter: 'limit', message: 'too big' }],
    });
  });

  it('turns any other error into a 500 that reveals nothing but the request id', async () => {
    // Prepare
    const onUnexpectedError = vi.fn();
    const secret = new Error('connect ECONNREFUSED 10.0.0.12:8000 table=docflow-metadata');
    const route = createRouter(
      [
        {
          method: 'GET',
          path: '/boom',
          handle: async () => {
            throw secret;
          },
        },
      ],
      { onUnexpectedError },
    );

    // Act
    const result = await route(apiEvent('GET', '/boom'));

    // Assess
    expectProblem(result, {
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'The request could not be completed. Request id: req-0123456789',
    });
    expect(result.body).not.toContain('ECONNREFUSED');
    expect(onUnexpectedError).toHaveBeenCalledWith(secret, expect.objectContaining({ path: '/boom' }));
  });

  it('refuses to build with duplicate routes or malformed templates', () => {
    // Prepare
    const handle = echo('x');

    // Act
    const duplicate = () =>
      createRouter([
        { method: 'GET', path: '/a/{id}', handle },
        { method: 'GET', path: '/a/{id}', handle },
      ]);
    const malformed = () => createRouter([{ method: 'GET', path: '/a/{id', handle }]);

    // Assess
    expect(duplicate).toThrow('duplicate route GET /a/{id}');
    expect(malformed).toThrow('invalid path segment');
  });
});
