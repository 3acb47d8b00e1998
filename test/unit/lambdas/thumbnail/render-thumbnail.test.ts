import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../../lambdas/shared/documents/limits';
import { SandboxProcess } from '../../../../lambdas/shared/sandbox/sandbox-child';
import {
  MAX_GROWTH_SHARE,
  SANDBOX_START_TIMEOUT_MS,
  type SandboxedTask,
} from '../../../../lambdas/shared/sandbox/sandboxed-task';
import { THUMBNAIL_TASK, type ThumbnailJob } from '../../../../lambdas/thumbnail/render-thumbnail';

const MEMORY_MB = 256;

const pdfJob = (): ThumbnailJob => ({
  kind: 'pdf',
  bytes: readFileSync(new URL('../../../../sample-docs/report-text-layer.pdf', import.meta.url)),
  maxPixels: DEFAULT_LIMITS.maxImagePixels,
  maxPages: DEFAULT_LIMITS.maxPages,
  budgetMs: 20_000,
});

describe('the thumbnail task in its sandboxed process', { timeout: 60_000 }, () => {
  it('has pdf.js loaded once ready: a PDF leaves the process fit for the next document', async () => {
    // Prepare: one process, as a pool holds it between documents
    const sandbox = new SandboxProcess(THUMBNAIL_TASK as SandboxedTask<unknown, unknown>, {
      memoryMb: MEMORY_MB,
      nativeMemoryMb: MEMORY_MB,
      startTimeoutMs: SANDBOX_START_TIMEOUT_MS,
    });
    try {
      await sandbox.whenStarted();

      // Act
      await sandbox.run(pdfJob(), pdfJob().budgetMs);

      // Assess: pdf.js loaded by the job itself would count as what the job left behind (and inside its
      // budget): the pool would retire the process after every PDF, and the next one would wait for a start.
      expect(sandbox.usable).toBe(true);
      expect(sandbox.grownMb).toBeLessThanOrEqual(MEMORY_MB * MAX_GROWTH_SHARE);
    } finally {
      sandbox.terminate();
    }
  });
});
