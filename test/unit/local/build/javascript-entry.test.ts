import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildJavaScriptEntry,
  EntryBuildError,
  STALE_BUILD_AGE_MS,
} from '../../../../local/build/javascript-entry';

const folder = mkdtempSync(join(tmpdir(), 'javascript-entry-'));
const cache = join(folder, 'cache');
const entry = join(folder, 'entry.ts');
const imported = join(folder, 'greeting.ts');

afterAll(() => rmSync(folder, { recursive: true, force: true }));

const run = (file: string): string => execFileSync(process.execPath, [file], { encoding: 'utf8' }).trim();

describe('buildJavaScriptEntry', () => {
  writeFileSync(imported, "export const greeting = (name: string): string => 'hello ' + name;\n");
  writeFileSync(entry, "import { greeting } from './greeting';\nconsole.log(greeting('docflow'));\n");

  it('bundles the entry and its project imports into JavaScript that node runs as it is', () => {
    const built = buildJavaScriptEntry(entry, cache);
    expect(built).toMatch(/\.mjs$/);
    expect(run(built)).toBe('hello docflow');
    expect(readFileSync(built, 'utf8')).not.toContain(': string');
  });

  it('reuses the build while its inputs are unchanged, and builds again when one changes', () => {
    const first = buildJavaScriptEntry(entry, cache);
    expect(buildJavaScriptEntry(entry, cache)).toBe(first);
    writeFileSync(imported, "export const greeting = (name: string): string => 'hi ' + name;\n");
    const second = buildJavaScriptEntry(entry, cache);
    expect(second).not.toBe(first);
    expect(run(second)).toBe('hi docflow');
  });

  it('leaves package imports to node_modules', () => {
    const withPackage = join(folder, 'with-package.ts');
    writeFileSync(withPackage, "import { z } from 'zod';\nconsole.log(typeof z.string);\n");
    const built = buildJavaScriptEntry(withPackage, cache);
    expect(readFileSync(built, 'utf8')).toMatch(/from "zod"/);
  });

  it('builds into a cache folder reached through a symbolic link (a linked node_modules)', () => {
    // Arrange
    const realCache = join(folder, 'deeper', 'real-cache');
    mkdirSync(realCache, { recursive: true });
    const linkedCache = join(folder, 'linked-cache');
    symlinkSync(realCache, linkedCache);

    // Act
    const built = buildJavaScriptEntry(entry, linkedCache);

    // Assess
    expect(run(built)).toMatch(/^(hello|hi) docflow$/);
    expect(buildJavaScriptEntry(entry, linkedCache)).toBe(built);
  });
  it("keeps each module's source folder and file as import.meta.dirname and import.meta.filename", () => {
    // Arrange
    mkdirSync(join(folder, 'nested'), { recursive: true });
    writeFileSync(
      join(folder, 'nested', 'place.ts'),
      "export const place = { dirname: import.meta.dirname, filename: import.meta.filename, text: 'import.meta.dirname' };\n",
    );
    const withPlaces = join(folder, 'with-places.ts');
    writeFileSync(
      withPlaces,
      "import { place } from './nested/place';\n" +
        'console.log(JSON.stringify({ place, dirname: import.meta.dirname, url: import.meta.url }));\n',
    );

    // Act
    const built = buildJavaScriptEntry(withPlaces, cache);

    // Assess
    expect(JSON.parse(run(built))).toEqual({
      place: {
        dirname: join(folder, 'nested'),
        filename: join(folder, 'nested', 'place.ts'),
        text: 'import.meta.dirname',
      },
      dirname: folder,
      url: pathToFileURL(built).href,
    });
  });
  it('splits off what is imported dynamically, and maps stacks of the entry and its chunks to the lines of their sources', () => {
    // Arrange
    const stacks = join(import.meta.dirname, '../../../../lambdas/shared/runtime/source-mapped-stacks.ts');
    const failing = join(folder, 'failing.ts');
    writeFileSync(
      failing,
      '// first line\nexport const place = import.meta.dirname;\n\nexport const fail = (): never => {\n  throw new Error(place);\n};\n',
    );
    const withMap = join(folder, 'with-map.ts');
    writeFileSync(
      withMap,
      `import { mapStacksOnDemand } from ${JSON.stringify(stacks)};\n\n` +
        "mapStacksOnDemand(import.meta.url);\ntry {\n  (await import('./failing')).fail();\n} catch (error) {\n  console.log((error as Error).stack);\n}\n",
    );

    // Act
    const built = buildJavaScriptEntry(withMap, cache, { sourceMap: true, splitting: true });

    // Assess
    const chunks = readdirSync(dirname(built)).filter(
      (file) => file.endsWith('.mjs') && file !== basename(built),
    );
    expect(chunks).toHaveLength(1);
    const stack = run(built);
    expect(stack).toContain(`Error: ${folder}`);
    // The declaration of failing.ts's place shifted none of its lines.
    expect(stack).toContain(`fail (${failing}:5:`);
    expect(stack).toContain(`${withMap}:5:`);
  });
  it("refuses a URL made from a relative path and the module's own URL, which would name a file beside the built one", () => {
    // Arrange
    const beside = join(folder, 'beside.ts');
    writeFileSync(beside, "export const root = new URL('..', import.meta.url);\nconsole.log(root.href);\n");

    // Act
    const build = () => buildJavaScriptEntry(beside, cache);

    // Assess
    expect(build).toThrow(
      /new URL\('\.\.', import\.meta\.url\) names a file beside the built module.*use import\.meta\.dirname/s,
    );
  });
  it('names the file, line and column of a source that does not compile', () => {
    // Arrange
    const broken = join(folder, 'broken.ts');
    writeFileSync(broken, 'export const fine = 1;\nexport const broken = (;\n');

    // Act
    const build = () => buildJavaScriptEntry(broken, cache);

    // Assess
    expect(build).toThrow(EntryBuildError);
    expect(build).toThrow(`could not build ${broken}:\n${broken}:2:24: Unexpected ";"`);
  });
  it('removes builds of the entry made long ago when it builds again, and keeps recent ones', () => {
    // Arrange
    const aging = join(folder, 'aging.ts');
    writeFileSync(aging, "console.log('first');\n");
    const first = dirname(buildJavaScriptEntry(aging, cache));
    writeFileSync(aging, "console.log('second');\n");
    const second = dirname(buildJavaScriptEntry(aging, cache));
    const longAgo = new Date(Date.now() - STALE_BUILD_AGE_MS - 60_000);
    utimesSync(first, longAgo, longAgo);
    writeFileSync(aging, "console.log('third');\n");

    // Act
    const third = buildJavaScriptEntry(aging, cache);

    // Assess
    expect(run(third)).toBe('third');
    expect(existsSync(first)).toBe(false);
    expect(existsSync(second)).toBe(true);
  });
});
