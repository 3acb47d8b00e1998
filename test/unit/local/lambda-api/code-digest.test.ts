import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DIGEST_CHUNK_BYTES, digestOf } from '../../../../local/lambda-api/code-digest';
import { projectCacheFolder } from '../../../../local/project-cache';

const CACHE_FOLDER = projectCacheFolder('code-digests');

/** The digest of a folder holding one file, `index.mjs`, as the local Lambda API defines it. */
const expectedDigest = (content: string) => ({
  size: Buffer.byteLength(content),
  sha256: createHash('sha256').update('/index.mjs').update(content).digest('base64'),
});

const folders: string[] = [];
const cacheFiles: string[] = [];

const assetFolder = (content: string): string => {
  const parent = mkdtempSync(join(tmpdir(), 'docflow-code-digest-'));
  folders.push(parent);
  const name = `asset.${randomBytes(32).toString('hex')}`;
  cacheFiles.push(join(CACHE_FOLDER, `${name}.json`));
  const directory = join(parent, name);
  mkdirSync(directory);
  writeFileSync(join(directory, 'index.mjs'), content);
  return directory;
};

afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  for (const file of cacheFiles.splice(0)) rmSync(file, { force: true });
});

describe('digestOf', () => {
  it('hashes a synthesized asset once and keeps its digest for the next start', async () => {
    // Arrange
    const directory = assetFolder('export const handler = () => 1;\n');

    // Act
    const first = await digestOf(directory);
    const second = await digestOf(directory);

    // Assess
    expect(first).toEqual(expectedDigest('export const handler = () => 1;\n'));
    expect(second).toEqual(first);
    expect(existsSync(cacheFiles[0] as string)).toBe(true);
  });

  it('hashes again an asset folder made anew under the same name', async () => {
    // Arrange
    const directory = assetFolder('export const handler = () => 1;\n');
    await digestOf(directory);
    rmSync(directory, { recursive: true });
    mkdirSync(directory);
    writeFileSync(join(directory, 'index.mjs'), 'export const handler = () => 2;\n');

    // Act
    const digest = await digestOf(directory);

    // Assess
    expect(digest).toEqual(expectedDigest('export const handler = () => 2;\n'));
  });

  it('never caches a folder that is not a synthesized asset', async () => {
    // Arrange
    const parent = mkdtempSync(join(tmpdir(), 'docflow-code-digest-'));
    folders.push(parent);
    writeFileSync(join(parent, 'index.mjs'), 'export const handler = () => 3;\n');

    // Act
    const digest = await digestOf(parent);

    // Assess
    expect(digest).toEqual(expectedDigest('export const handler = () => 3;\n'));
  });

  it('reads a large file in chunks: hashing it does not raise the memory of the process', async () => {
    // Arrange: a native library's size; read whole, the process would hold all of it at once
    const parent = mkdtempSync(join(tmpdir(), 'docflow-code-digest-'));
    folders.push(parent);
    const content = randomBytes(48 * 1024 * 1024);
    writeFileSync(join(parent, 'libbig.so'), content);
    const expected = createHash('sha256').update('/libbig.so').update(content).digest('base64');
    const before = process.memoryUsage.rss();
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage.rss());
    }, 2);

    // Act
    const digest = await digestOf(parent);
    clearInterval(sampler);

    // Assess
    expect(digest).toEqual({ size: content.byteLength, sha256: expected });
    expect(peak - before).toBeLessThan(16 * DIGEST_CHUNK_BYTES);
  });
});
