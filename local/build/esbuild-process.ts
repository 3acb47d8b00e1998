/**
 * The process `buildJavaScriptEntry` (javascript-entry.ts) runs esbuild in: `node esbuild-process.ts
 * <entry> <outdir> <metafile> [--sourcemap] [--splitting]` writes `<outdir>/<entry's name>.mjs`.
 * Node runs this file as it is (its types are only erased), so it imports nothing of the project. It
 * ends when the build does: esbuild's JavaScript API keeps a service process for the life of its
 * caller, and a build needs the API for its plugin.
 *
 * A built module keeps its source's place: `import.meta.dirname` and `import.meta.filename` are the
 * folder and file of the TypeScript it came from, so code that reads files beside its source (the
 * state machine's YAML, the project root) reads the same files built as run by tsx.
 * `import.meta.url` stays the built file's own URL: what a module hands to `createRequire`, to
 * `import.meta.resolve` or to a process it starts must exist where it runs.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { build, type Message, type Plugin, stop } from 'esbuild';

const SOURCE_FILENAME = '__docflowSourceFilename';
const SOURCE_DIRNAME = '__docflowSourceDirname';

/** A URL made from a relative path and the module's own URL: beside the built file, not the source. */
const RELATIVE_TO_OWN_URL = /new URL\(\s*(['"`])\.\.?(\/[^'"`]*)?\1\s*,\s*import\.meta\.url\s*\)/;

/**
 * Declares each source's own folder and file in the modules that ask for them; `define` points there.
 * Refuses `new URL('./…', import.meta.url)`, which would name a file beside the built one.
 */
const sourceLocation: Plugin = {
  name: 'source-location',
  setup(builder) {
    builder.onLoad({ filter: /\.[cm]?ts$/ }, async ({ path }) => {
      const source = await readFile(path, 'utf8');
      const relative = RELATIVE_TO_OWN_URL.exec(source);
      if (relative) {
        return {
          errors: [
            {
              text: `${relative[0]} names a file beside the built module, not beside ${path}: use import.meta.dirname`,
            },
          ],
        };
      }
      if (!/\bimport\.meta\.(dirname|filename)\b/.test(source)) return { contents: source, loader: 'ts' };
      const declaration = `const ${SOURCE_FILENAME} = ${JSON.stringify(path)}, ${SOURCE_DIRNAME} = ${JSON.stringify(dirname(path))};`;
      // On the source's first line, so that every other line keeps its number in the source map.
      return { contents: `${declaration}${source}`, loader: 'ts' };
    });
  },
};

const [entry, outdir, metafile, ...flags] = process.argv.slice(2);
if (!entry || !outdir || !metafile) {
  throw new Error('usage: esbuild-process.ts <entry> <outdir> <metafile> [--sourcemap] [--splitting]');
}

try {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    packages: 'external',
    format: 'esm',
    platform: 'node',
    target: 'node24',
    // Errors are written below, one line each with the source's absolute path.
    logLevel: 'silent',
    outdir,
    entryNames: '[name]',
    outExtension: { '.js': '.mjs' },
    // Linked, not inline: the map is read only when a stack is formatted (source-mapped-stacks.ts).
    sourcemap: flags.includes('--sourcemap') ? 'linked' : false,
    // What is imported dynamically, with the packages it imports, goes in chunks loaded only then.
    splitting: flags.includes('--splitting'),
    metafile: true,
    plugins: [sourceLocation],
    define: { 'import.meta.dirname': SOURCE_DIRNAME, 'import.meta.filename': SOURCE_FILENAME },
  });
  await writeFile(metafile, JSON.stringify(result.metafile));
} catch (error) {
  const messages: readonly Message[] = (error as { errors?: Message[] }).errors ?? [];
  if (messages.length === 0) throw error;
  for (const { text, location } of messages) {
    const where = location ? `${resolve(location.file)}:${location.line}:${location.column + 1}: ` : '';
    process.stderr.write(`${where}${text}\n`);
  }
  process.exitCode = 1;
} finally {
  await stop();
}
