import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapStacksOnDemand } from '../../../../../lambdas/shared/runtime/source-mapped-stacks';
import { bundleFixture, fixtureHandler } from '../../../../fixtures/lambda-handlers/bundle';

const run = promisify(execFile);

const SOURCE = fixtureHandler('stack-trace.ts');
/** Where the fixture's error is made, as a mapped frame names it: its path, line, and the column of `new`. */
const THROW_SITE = (() => {
  const lines = readFileSync(SOURCE, 'utf8').split('\n');
  const line = lines.findIndex((text) => text.includes('throw new TypeError'));
  return `${SOURCE}:${line + 1}:${(lines[line] ?? '').indexOf('new TypeError') + 1}`;
})();

/**
 * Imports the bundle in a fresh Node process (as an execution environment loads it), optionally runs
 * `beforeFailing` there, then prints whether it took over stack formatting and the stack of its error.
 */
const stackOf = async (
  bundle: string,
  options: { readonly flags?: readonly string[]; readonly beforeFailing?: string } = {},
): Promise<{ readonly mapping: boolean; readonly stack: string }> => {
  const script = `
    const bundle = await import(${JSON.stringify(pathToFileURL(bundle).href)});
    ${options.beforeFailing ?? ''}
    let stack = '';
    try { bundle.fail(); } catch (error) { stack = error.stack; }
    console.log(JSON.stringify({ mapping: bundle.mapping, stack }));
  `;
  const { stdout } = await run(
    process.execPath,
    [...(options.flags ?? []), '--input-type=module', '--eval', script],
    { env: { PATH: process.env.PATH ?? '' }, timeout: 30_000 },
  );
  return JSON.parse(stdout.trim());
};

describe('mapStacksOnDemand', () => {
  let asset: Awaited<ReturnType<typeof bundleFixture>>;
  const bundle = () => join(asset.codeDirectory, 'index.mjs');

  beforeAll(async () => {
    asset = await bundleFixture('stack-trace.ts');
  });
  afterAll(() => asset?.remove());

  it("names the TypeScript source's line and column in a bundled function's stack, as Node's --enable-source-maps does", async () => {
    // Act
    const onDemand = await stackOf(bundle());
    const node = await stackOf(bundle(), { flags: ['--enable-source-maps'] });

    // Assess
    expect(onDemand.mapping).toBe(true);
    expect(onDemand.stack).toContain(`TypeError: thrown in the source\n    at `);
    expect(onDemand.stack).toContain(`(${THROW_SITE})`);
    expect(onDemand.stack).not.toContain('index.mjs');
    expect(node.mapping).toBe(false);
    expect(onDemand.stack).toBe(node.stack);
  });

  it('reads the map when a stack is formatted, not when the bundle loads', async () => {
    // Act: the map goes away after the import, before the first stack.
    const stack = await stackOf(bundle(), {
      beforeFailing: `await (await import('node:fs/promises')).rename(${JSON.stringify(`${bundle()}.map`)}, ${JSON.stringify(`${bundle()}.map.away`)});`,
    });
    await rename(`${bundle()}.map.away`, `${bundle()}.map`);

    // Assess: it had taken over, found no map, and left V8's frames as they were.
    expect(stack.mapping).toBe(true);
    expect(stack.stack).toContain('TypeError: thrown in the source');
    expect(stack.stack).toContain(`${pathToFileURL(bundle()).href}:`);
    expect(stack.stack).not.toContain(SOURCE);
  });

  it('leaves stacks alone where there is nothing to map: the TypeScript sources, a bundle without a map', () => {
    // Act
    const sources = mapStacksOnDemand(pathToFileURL(SOURCE).href);
    const noMap = mapStacksOnDemand(pathToFileURL(join(asset.codeDirectory, 'missing.mjs')).href);

    // Assess
    expect(sources).toBe(false);
    expect(noMap).toBe(false);
  });
});
