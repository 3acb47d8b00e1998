import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, isAbsolute } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Stack traces of a bundled function that point into its TypeScript sources, with the bundle's source
 * map read when a stack is first formatted instead of when the bundle loads.
 *
 * Node's `--enable-source-maps` decodes the map of every module as it loads: for a function's bundle
 * that is ~150 ms more Init and ~45 MB more resident (inspect's bundle: 234 → 391 ms to import, 107 →
 * 152 MiB) in every execution environment, while most environments never format a stack. Here the map
 * (Node's own decoder, `module.SourceMap`) is read by the first stack that has a frame in the bundle,
 * and kept for the next ones.
 *
 * A frame keeps V8's text; only its `bundle:line:column` becomes `source:line:column` (a path, as Node
 * prints mapped frames). A frame elsewhere (Node's internals, a native package), or one the map does not
 * cover, stays as V8 wrote it.
 */

/** What V8 gives `Error.prepareStackTrace`. */
type CallSite = NodeJS.CallSite;

/** Error's first line as V8 writes it: `name: message`, or what the thrown value's toString says. */
const headerOf = (error: Error): string => {
  try {
    return Error.prototype.toString.call(error);
  } catch {
    return '<error>';
  }
};

/** A position in a source file: its path, and line and column counted from 1. */
export interface SourcePosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** See {@link sourcePositions}. */
export type SourceOf = (file: string, line: number, column: number) => SourcePosition | undefined;

/**
 * Where a position of a built JavaScript file (path, line and column from 1) came from, read through
 * the map beside the file (`<file>.map`, Node's own decoder). Each map is read once, when first
 * asked; a file without a readable map, or a position it does not cover, answers undefined.
 */
export const sourcePositions = (): SourceOf => {
  const maps = new Map<string, SourceMap | null>();
  return (file, line, column) => {
    let map = maps.get(file);
    if (map === undefined) {
      try {
        map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
      } catch {
        map = null;
      }
      maps.set(file, map);
    }
    const origin = map?.findOrigin(line, column);
    if (origin === undefined || !('fileName' in origin)) return undefined;
    return {
      file: fileURLToPath(new URL(origin.fileName, pathToFileURL(`${file}.map`))),
      line: origin.lineNumber,
      column: origin.columnNumber,
    };
  };
};

/** Whether `mapStacksOnDemand` may take over: a bundle with its map beside it, and Node not mapping already. */
const canMap = (bundleUrl: string): boolean =>
  !process.sourceMapsEnabled &&
  bundleUrl.startsWith('file:') &&
  /\.[cm]?js$/.test(bundleUrl) &&
  existsSync(fileURLToPath(`${bundleUrl}.map`));

/**
 * Formats stack traces through the source map of the bundle at `bundleUrl` (the `import.meta.url` of
 * any module in an esbuild bundle is the bundle's own), reading the map on first use. Frames in the
 * bundle's chunks (JavaScript files beside it, split off by esbuild, each with its own map) are mapped
 * the same way. Does nothing, and answers false, where there is nothing to map: the TypeScript sources
 * (tests, tsx), a bundle without a map, or a process that runs with `--enable-source-maps`.
 */
export const mapStacksOnDemand = (bundleUrl: string): boolean => {
  if (!canMap(bundleUrl)) return false;
  const folder = dirname(fileURLToPath(bundleUrl));
  const sourceOf = sourcePositions();
  /** The built file a frame names, when it is the bundle or one of its chunks. */
  const builtFile = (file: string | null): string | undefined => {
    if (file === null) return undefined;
    const path = file.startsWith('file:') ? fileURLToPath(file) : file;
    return isAbsolute(path) && dirname(path) === folder && /\.[cm]?js$/.test(path) ? path : undefined;
  };

  const frame = (site: CallSite): string => {
    const text = String(site);
    const file = site.getFileName();
    const line = site.getLineNumber();
    const column = site.getColumnNumber();
    const built = builtFile(file);
    if (built === undefined || line === null || column === null) return text;
    const source = sourceOf(built, line, column);
    if (source === undefined) return text;
    const mapped = `${source.file}:${source.line}:${source.column}`;
    // A function, not a string: a `$` in a path must not read as a replacement pattern.
    return text.replace(`${file}:${line}:${column}`, () => mapped);
  };

  Error.prepareStackTrace = (error: Error, sites: CallSite[]): string =>
    [headerOf(error), ...sites.map((site) => `    at ${frame(site)}`)].join('\n');
  return true;
};
