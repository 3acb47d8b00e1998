import { mkdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { z } from 'zod';
import { readRequestBody } from '../http/proxy';
import { readStateFile, writeStateFileSync } from '../state-file';
import { malformedXml, parseRequestXml, S3ServiceError } from './s3-error';
import { s3TargetOf } from './s3-request';
import { childrenNamed, childText, S3_NAMESPACE, type XmlElement, xmlDocument } from './xml';

/**
 * Bucket CORS as S3 does it (fauxqs has none): PutBucketCors, GetBucketCors and DeleteBucketCors on
 * `?cors`, preflight `OPTIONS` answered from the bucket's rules, and the `Access-Control-*` headers on
 * every answer to a request whose Origin a rule allows. A browser page on another origin (the console)
 * can then POST an upload straight to the bucket.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html
 */

/** One `CORSRule`. */
export interface CorsRule {
  readonly id?: string;
  readonly allowedMethods: readonly string[];
  /** Origins, each with at most one `*` wildcard. */
  readonly allowedOrigins: readonly string[];
  /** Request headers a preflight may ask for, each with at most one `*` wildcard. */
  readonly allowedHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly maxAgeSeconds?: number;
}

const METHODS = new Set(['GET', 'PUT', 'HEAD', 'POST', 'DELETE']);

/** S3 takes at most 100 rules in one configuration. */
const MAX_RULES = 100;

const MAX_XML_BODY = 64 * 1024;

const texts = (element: XmlElement, name: string): string[] =>
  childrenNamed(element, name).map((child) => child.text.trim());

const parseRule = (element: XmlElement): CorsRule => {
  const allowedMethods = texts(element, 'AllowedMethod');
  const allowedOrigins = texts(element, 'AllowedOrigin');
  if (allowedMethods.length === 0 || allowedOrigins.length === 0) throw malformedXml();
  const unsupported = allowedMethods.find((method) => !METHODS.has(method));
  if (unsupported !== undefined)
    throw new S3ServiceError(
      'InvalidRequest',
      `Found unsupported HTTP method in CORS config. Unsupported method is ${unsupported}`,
    );
  const allowedHeaders = texts(element, 'AllowedHeader');
  for (const [kind, values] of [
    ['AllowedOrigin', allowedOrigins],
    ['AllowedHeader', allowedHeaders],
  ] as const) {
    const wild = values.find((value) => value.split('*').length > 2);
    if (wild !== undefined)
      throw new S3ServiceError('InvalidRequest', `${kind} "${wild}" can not have more than one wildcard.`);
  }
  const id = childText(element, 'ID');
  const maxAge = childText(element, 'MaxAgeSeconds');
  if (maxAge !== undefined && !/^\d{1,9}$/.test(maxAge)) throw malformedXml();
  return {
    ...(id ? { id } : {}),
    allowedMethods,
    allowedOrigins,
    allowedHeaders,
    exposeHeaders: texts(element, 'ExposeHeader'),
    ...(maxAge === undefined ? {} : { maxAgeSeconds: Number(maxAge) }),
  };
};

/** Parses and validates a `PutBucketCors` body as S3 does. */
export const parseCorsConfiguration = (body: string): CorsRule[] => {
  const root = parseRequestXml(body, 'CORSConfiguration');
  if (root.children.some((child) => child.name !== 'CORSRule')) throw malformedXml();
  const rules = root.children.map(parseRule);
  if (rules.length === 0) throw malformedXml();
  if (rules.length > MAX_RULES)
    throw new S3ServiceError('InvalidRequest', `Too many CORS rules: at most ${MAX_RULES} are allowed.`);
  return rules;
};

/** The `GetBucketCors` answer. */
export const corsConfigurationXml = (rules: readonly CorsRule[]): string =>
  xmlDocument(
    'CORSConfiguration',
    {
      CORSRule: rules.map((rule) => ({
        ...(rule.id === undefined ? {} : { ID: rule.id }),
        AllowedHeader: rule.allowedHeaders,
        AllowedMethod: rule.allowedMethods,
        AllowedOrigin: rule.allowedOrigins,
        ExposeHeader: rule.exposeHeaders,
        ...(rule.maxAgeSeconds === undefined ? {} : { MaxAgeSeconds: String(rule.maxAgeSeconds) }),
      })),
    },
    { namespace: S3_NAMESPACE },
  );

/** A pattern with at most one `*`, which stands for any run of characters. */
const wildcardMatches = (pattern: string, value: string): boolean => {
  const star = pattern.indexOf('*');
  if (star < 0) return pattern === value;
  const prefix = pattern.slice(0, star);
  const suffix = pattern.slice(star + 1);
  return value.length >= prefix.length + suffix.length && value.startsWith(prefix) && value.endsWith(suffix);
};

/**
 * The first rule that allows `origin` to make a `method` request with `requestHeaders` (lowercase), as
 * S3 evaluates them: in order, origin and method, and every requested header allowed by some pattern
 * (header names match case-insensitively).
 */
export const matchCorsRule = (
  rules: readonly CorsRule[],
  origin: string,
  method: string,
  requestHeaders: readonly string[] = [],
): CorsRule | undefined =>
  rules.find(
    (rule) =>
      rule.allowedOrigins.some((pattern) => wildcardMatches(pattern, origin)) &&
      rule.allowedMethods.includes(method) &&
      requestHeaders.every((name) =>
        rule.allowedHeaders.some((pattern) => wildcardMatches(pattern.toLowerCase(), name)),
      ),
  );

/** The `Access-Control-*` headers S3 answers a request that `rule` allows. */
export const corsHeaders = (
  rule: CorsRule,
  origin: string,
  requestHeaders: readonly string[] = [],
): Record<string, string> => {
  const anyOrigin = rule.allowedOrigins.includes('*');
  return {
    'access-control-allow-origin': anyOrigin ? '*' : origin,
    'access-control-allow-methods': rule.allowedMethods.join(', '),
    ...(requestHeaders.length > 0 ? { 'access-control-allow-headers': requestHeaders.join(', ') } : {}),
    ...(rule.exposeHeaders.length > 0
      ? { 'access-control-expose-headers': rule.exposeHeaders.join(', ') }
      : {}),
    ...(rule.maxAgeSeconds === undefined ? {} : { 'access-control-max-age': String(rule.maxAgeSeconds) }),
    ...(anyOrigin ? {} : { 'access-control-allow-credentials': 'true' }),
    vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
  };
};

const FILE_NAME = 's3-cors.json';

const corsRuleSchema = z.object({
  id: z.string().optional(),
  allowedMethods: z.array(z.string()),
  allowedOrigins: z.array(z.string()),
  allowedHeaders: z.array(z.string()),
  exposeHeaders: z.array(z.string()),
  maxAgeSeconds: z.number().int().nonnegative().optional(),
});

const stateSchema = z.object({
  version: z.literal(1),
  configurations: z.record(z.string(), z.array(corsRuleSchema)),
});

type State = z.infer<typeof stateSchema>;

/**
 * Each bucket's CORS rules, in one JSON file in the data directory (in memory without one), written by
 * replace-by-rename before a change is used, so the rules survive a restart as the buckets do.
 */
export class BucketCorsStore {
  readonly #file: string | undefined;
  readonly #state: State;

  private constructor(file: string | undefined, state: State) {
    this.#file = file;
    this.#state = state;
  }

  /** Opens the store in `dataDir` (created if needed), or an in-memory one without it. */
  static open(dataDir?: string): BucketCorsStore {
    const empty: State = { version: 1, configurations: {} };
    if (dataDir === undefined) return new BucketCorsStore(undefined, empty);
    mkdirSync(dataDir, { recursive: true });
    const file = join(dataDir, FILE_NAME);
    return new BucketCorsStore(file, readStateFile(file, stateSchema, 'a bucket CORS store') ?? empty);
  }

  /** The bucket's rules; undefined when it has no CORS configuration. */
  rules(bucket: string): readonly CorsRule[] | undefined {
    return this.#state.configurations[bucket];
  }

  setRules(bucket: string, rules: readonly CorsRule[]): void {
    this.#state.configurations[bucket] = structuredClone([...rules]) as State['configurations'][string];
    this.#save();
  }

  forgetBucket(bucket: string): void {
    if (!(bucket in this.#state.configurations)) return;
    delete this.#state.configurations[bucket];
    this.#save();
  }

  #save(): void {
    if (this.#file === undefined) return;
    writeStateFileSync(this.#file, this.#state);
  }
}

const single = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;

const requestedHeaders = (request: IncomingMessage): string[] =>
  (single(request.headers['access-control-request-headers']) ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');

const isCorsSubresource = (url: string): boolean => new URL(url, 'http://s3.local').searchParams.has('cors');

export interface BucketCorsOptions {
  /** Where the rules are kept across restarts; in memory when absent. */
  readonly dataDir?: string;
  readonly bucketExists: (bucket: string) => Promise<boolean>;
}

/** The CORS half of the local S3 front (see {@link createBucketCors}). */
export interface BucketCors {
  readonly store: BucketCorsStore;
  /**
   * Answers the request if it is a CORS one (a preflight, or `?cors` on a bucket) and resolves true;
   * resolves false for any other request. Throws the `S3ServiceError` S3 would answer.
   */
  handle(request: IncomingMessage, response: ServerResponse, ids: ResponseIds): Promise<boolean>;
  /**
   * Sets the `Access-Control-*` headers on `response` (before it is written) when the request has an
   * Origin that the bucket's rules allow for its method.
   */
  decorate(request: IncomingMessage, response: ServerResponse): void;
}

interface ResponseIds {
  readonly requestId: string;
  readonly hostId: string;
}

/** Bucket CORS for the local S3 front: the `?cors` subresource, preflights and response headers. */
export const createBucketCors = (options: BucketCorsOptions): BucketCors => {
  const store = BucketCorsStore.open(options.dataDir);

  const noSuchBucket = (bucket: string) =>
    new S3ServiceError('NoSuchBucket', `The specified bucket does not exist: ${bucket}`, 404);

  const answer = (
    response: ServerResponse,
    status: number,
    ids: ResponseIds,
    body = '',
    headers: Record<string, string> = {},
  ) => {
    response.writeHead(status, {
      ...(body ? { 'content-type': 'application/xml' } : {}),
      'content-length': Buffer.byteLength(body),
      'x-amz-request-id': ids.requestId,
      'x-amz-id-2': ids.hostId,
      ...headers,
    });
    response.end(body);
  };

  const preflight = async (
    request: IncomingMessage,
    response: ServerResponse,
    target: { bucket: string; key: string },
    ids: ResponseIds,
  ) => {
    const origin = single(request.headers.origin);
    if (!origin)
      throw new S3ServiceError('BadRequest', 'Insufficient information. Origin request header needed.');
    const method = single(request.headers['access-control-request-method']);
    if (!method) throw new S3ServiceError('BadRequest', 'Invalid Access-Control-Request-Method: null');
    const refused = (message: string) =>
      new S3ServiceError('AccessForbidden', message, 403, undefined, {
        Method: method,
        ResourceType: target.key ? 'OBJECT' : 'BUCKET',
      });
    if (!(await options.bucketExists(target.bucket))) throw refused('CORSResponse: Bucket not found');
    const rules = store.rules(target.bucket);
    if (!rules) throw refused('CORSResponse: CORS is not enabled for this bucket.');
    const headers = requestedHeaders(request);
    const rule = matchCorsRule(rules, origin, method, headers);
    if (!rule)
      throw refused(
        "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
      );
    request.resume();
    answer(response, 200, ids, '', corsHeaders(rule, origin, headers));
  };

  const configuration = async (
    request: IncomingMessage,
    response: ServerResponse,
    bucket: string,
    ids: ResponseIds,
  ) => {
    const method = request.method ?? 'GET';
    const body = method === 'PUT' ? await readRequestBody(request, MAX_XML_BODY) : undefined;
    if (!(await options.bucketExists(bucket))) throw noSuchBucket(bucket);
    if (method === 'GET') {
      const rules = store.rules(bucket);
      if (!rules)
        throw new S3ServiceError(
          'NoSuchCORSConfiguration',
          'The CORS configuration does not exist',
          404,
          undefined,
          {
            BucketName: bucket,
          },
        );
      answer(response, 200, ids, corsConfigurationXml(rules));
    } else if (method === 'PUT') {
      store.setRules(bucket, parseCorsConfiguration(body?.toString('utf8') ?? ''));
      answer(response, 200, ids);
    } else {
      request.resume();
      store.forgetBucket(bucket);
      answer(response, 204, ids);
    }
  };

  return {
    store,
    handle: async (request, response, ids) => {
      const method = request.method ?? 'GET';
      const url = request.url ?? '/';
      const target = s3TargetOf(url, request.headers);
      if (!target) return false;
      if (method === 'OPTIONS') {
        await preflight(request, response, target, ids);
        return true;
      }
      if (target.key === '' && isCorsSubresource(url) && ['GET', 'PUT', 'DELETE'].includes(method)) {
        await configuration(request, response, target.bucket, ids);
        return true;
      }
      return false;
    },
    decorate: (request, response) => {
      const origin = single(request.headers.origin);
      const target = origin ? s3TargetOf(request.url ?? '/', request.headers) : undefined;
      const rules = target && store.rules(target.bucket);
      if (!origin || !rules) return;
      const rule = matchCorsRule(rules, origin, request.method ?? 'GET');
      const headers = rule
        ? corsHeaders(rule, origin)
        : { vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method' };
      for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    },
  };
};
