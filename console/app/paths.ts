/**
 * Paths of the app's hash routes (`#/documents/<id>?page=2`), pure: matched and built without a
 * browser. A path pattern names its parameters with `:` (`/executions/:arn`); each parameter is one
 * percent-encoded segment, decoded when matched.
 */

/** Where the app is: the hash's path and query. */
export interface Location {
  readonly path: string;
  readonly query: URLSearchParams;
}

export interface RouteMatch<P extends string = string> {
  readonly params: Readonly<Record<P, string>>;
}

export const parseHash = (hash: string): Location => {
  const raw = hash.replace(/^#/, '') || '/';
  const at = raw.indexOf('?');
  const path = at === -1 ? raw : raw.slice(0, at);
  return {
    path: path.startsWith('/') ? path : `/${path}`,
    query: new URLSearchParams(at === -1 ? '' : raw.slice(at + 1)),
  };
};

/** Matches a path against a pattern; undefined when it does not match (or a segment is malformed). */
export const matchPath = (pattern: string, path: string): RouteMatch | undefined => {
  const want = pattern.split('/').filter(Boolean);
  const have = path.split('/').filter(Boolean);
  if (want.length !== have.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of want.entries()) {
    const segment = have[index] ?? '';
    if (part.startsWith(':')) {
      try {
        params[part.slice(1)] = decodeURIComponent(segment);
      } catch {
        return undefined;
      }
    } else if (part !== segment) {
      return undefined;
    }
  }
  return { params };
};

/** The href of an app path; parameters are encoded by the caller with {@link segment}. */
export const href = (path: string, query?: Readonly<Record<string, string | undefined>>): string => {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) if (value) search.set(name, value);
  return `#${path}${search.size > 0 ? `?${search}` : ''}`;
};

/** One path segment from any value (an ARN, a key). */
export const segment = (value: string): string => encodeURIComponent(value);
