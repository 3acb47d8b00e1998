import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDocflow } from '../../support/docflow-process';

const dataDir = mkdtempSync(join(tmpdir(), 'built-cli-'));

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('the CLI as bin/docflow.mjs runs it, built into JavaScript', () => {
  it("finds the project's files from the built code: demo reads the samples, then says the cloud is not running", async () => {
    // Act
    const run = await runDocflow(['demo', '--data-dir', dataDir], { cwd: tmpdir() });

    // Assess
    expect(run.stderr).not.toMatch(/unexpected error|ENOENT/);
    expect(run.stderr).toContain('the local cloud is not running');
    expect(run.code).toBe(1);
  });
});
