import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type * as z from '../shared/runtime/zod';
import {
  HttpProblemError,
  InvalidParameterError,
  internalErrorProblem,
  MethodNotAllowedError,
  NotFoundError,
  PROBLEM_CONTENT_TYPE,
  type ProblemDetails,
} from './problems';

/**
 * A small router for API Gateway REST proxy events. It exists instead of the Powertools HTTP router
 * because that one (2.35) answers a wrong method with 404 rather than 405, and turns a malformed
 * path (`/documents/%20`, `/documents/%E0%A4%A`) into a 500 — see docs/decisions.md.
 */

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

/** What a route sees of a request: decoded path parameters and single-valued query parameters. */
export interface ApiRequest {
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  /** Request headers by lower-case name. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body as text (API Gateway's base64 decoded), or null when the request has none. */
  readonly body: string | null;
  readonly requestId: string;
}

export interface ApiResponse {
  readonly status: number;
  /** Serialized as JSON. */
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A route: method plus an OpenAPI-style path template (`/documents/{id}`), so the spec can list it as is. */
export interface Route {
  readonly method: HttpMethod;
  readonly path: `/${string}`;
  handle(request: ApiRequest): Promise<ApiResponse>;
}

export interface RouterOptions {
  /** Called with anything that escaped a route and became a 500 (to log it; the client sees nothing). */
  readonly onUnexpectedError?: (error: unknown, event: APIGatewayProxyEvent) => void;
  /** Called once a route is chosen, before it runs (to log and trace which route and parameters). */
  readonly onRoute?: (route: Route, request: ApiRequest) => void;
}

type Segment = { readonly literal: string } | { readonly param: string };

interface CompiledRoute {
  readonly route: Route;
  readonly segments: readonly Segment[];
}

const JSON_CONTENT_TYPE = 'application/json';

/** Every response: never cached (presigned URLs expire), never sniffed. */
const BASE_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } as const;

const splitPath = (path: string): string[] => {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed.split('/').slice(1);
};

const compile = (route: Route): CompiledRoute => {
  const names = new Set<string>();
  const segments = splitPath(route.path).map((part): Segment => {
    const param = /^\{([A-Za-z][A-Za-z0-9_]*)\}$/.exec(part)?.[1];
    if (param === undefined) {
      if (/[{}]/.test(part)) throw new Error(`invalid path segment "${part}" in ${route.path}`);
      return { literal: part };
    }
    if (names.has(param)) throw new Error(`duplicate path parameter "${param}" in ${route.path}`);
    names.add(param);
    return { param };
  });
  return { route, segments };
};

/** Matches decoded segments against a route, returning its parameters, or undefined. */
const match = (compiled: CompiledRoute, parts: readonly string[]): Record<string, string> | undefined => {
  if (compiled.segments.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, segment] of compiled.segments.entries()) {
    const part = parts[index] ?? '';
    if ('literal' in segment) {
      if (segment.literal !== part) return undefined;
    } else {
      if (part === '') return undefined;
      params[segment.param] = part;
    }
  }
  return params;
};

/** Literal segments outrank parameters, left to right (`/documents/search` before `/documents/{id}`). */
const specificity = (compiled: CompiledRoute): string =>
  compiled.segments.map((segment) => ('literal' in segment ? '1' : '0')).join('');

const decodeSegments = (path: string): string[] => {
  try {
    // REST APIs deliver the path still percent-encoded; split first so that %2F stays inside a segment.
    return splitPath(path).map((part) => decodeURIComponent(part));
  } catch (error) {
    throw new InvalidParameterError([{ parameter: 'path', message: 'malformed percent-encoding' }], {
      cause: error,
    });
  }
};

const singleValuedQuery = (event: APIGatewayProxyEvent): Record<string, string> => {
  const query: Record<string, string> = {};
  const repeated: string[] = [];
  const multi = event.multiValueQueryStringParameters ?? {};
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (value === undefined) continue;
    if ((multi[name]?.length ?? 0) > 1) repeated.push(name);
    query[name] = value;
  }
  if (repeated.length > 0) {
    throw new InvalidParameterError(
      repeated.map((parameter) => ({ parameter, message: 'must be given at most once' })),
    );
  }
  return query;
};

const lowerCaseHeaders = (event: APIGatewayProxyEvent): Record<string, string> => {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  return headers;
};

const bodyOf = (event: APIGatewayProxyEvent): string | null => {
  if (event.body === null || event.body === undefined) return null;
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
};

const jsonResult = (
  status: number,
  body: unknown,
  contentType: string,
  headers: Readonly<Record<string, string>> = {},
): APIGatewayProxyResult => ({
  statusCode: status,
  headers: { ...BASE_HEADERS, 'content-type': contentType, ...headers },
  body: JSON.stringify(body),
});

const problemResult = (problem: ProblemDetails, headers?: Readonly<Record<string, string>>) =>
  jsonResult(problem.status, problem, PROBLEM_CONTENT_TYPE, headers);

/** A request handler for API Gateway REST proxy events, dispatching to `routes`. */
export const createRouter = (
  routes: readonly Route[],
  options: RouterOptions = {},
): ((event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>) => {
  const compiled = routes.map(compile);
  const seen = new Set<string>();
  for (const { route } of compiled) {
    const id = `${route.method} ${route.path}`;
    if (seen.has(id)) throw new Error(`duplicate route ${id}`);
    seen.add(id);
  }

  const resolve = async (event: APIGatewayProxyEvent): Promise<ApiResponse> => {
    const method = event.httpMethod.toUpperCase();
    const parts = decodeSegments(event.path);
    const candidates = compiled
      .map((entry) => ({ entry, params: match(entry, parts) }))
      .filter((candidate) => candidate.params !== undefined)
      .sort((a, b) => specificity(b.entry).localeCompare(specificity(a.entry)));
    if (candidates.length === 0) throw new NotFoundError(`no resource at ${event.path}`);
    const chosen = candidates.find((candidate) => candidate.entry.route.method === method);
    if (!chosen) {
      const allowed = [...new Set(candidates.map((candidate) => candidate.entry.route.method))];
      throw new MethodNotAllowedError(method, event.path, allowed);
    }
    const request: ApiRequest = {
      method,
      path: event.path,
      params: chosen.params ?? {},
      query: singleValuedQuery(event),
      headers: lowerCaseHeaders(event),
      body: bodyOf(event),
      requestId: event.requestContext?.requestId ?? '',
    };
    options.onRoute?.(chosen.entry.route, request);
    return chosen.entry.route.handle(request);
  };

  return async (event) => {
    try {
      const response = await resolve(event);
      return jsonResult(response.status, response.body, JSON_CONTENT_TYPE, response.headers);
    } catch (error) {
      if (error instanceof HttpProblemError) return problemResult(error.toProblem(), error.headers);
      options.onUnexpectedError?.(error, event);
      return problemResult(internalErrorProblem(event.requestContext?.requestId ?? 'unknown'));
    }
  };
};

/**
 * Validates raw parameters with a zod schema, turning every issue into a 400 that names the
 * parameter (never a 500 for bad input).
 */
export const parseParameters = <S extends z.ZodMiniType>(
  schema: S,
  values: Readonly<Record<string, string>>,
): z.output<S> => {
  const result = schema.safeParse(values);
  if (result.success) return result.data;
  throw new InvalidParameterError(
    result.error.issues.flatMap((issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((parameter) => ({ parameter, message: 'unknown parameter' }))
        : [{ parameter: issue.path.map(String).join('.') || 'request', message: issue.message }],
    ),
  );
};
