import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../../../infra/constructs/docflow-function';
import type { DocumentRef } from '../../../../lambdas/shared/documents/document';
import { bundleProcessEnv, uniquePrefix, uploadDocument } from '../../../support/aws';
import { type BundledFunction, startBundledFunction } from '../../../support/bundled-function';
import { pngClaimingSize } from '../../../support/documents';
import { pdfWithExplodingPage } from '../../../support/hostile-documents';

/**
 * The deployed world: the inspect handler bundled as the CDK app bundles it (one minified ESM file,
 * native packages external), run by plain Node in a child process. Its probe processes must find their
 * code by running the bundle itself, and a spinning pdf.js must still end typed at the budget.
 */

const run = promisify(execFile);
const UPLOADS = 'uploads-inspect-bundle-test';
const PARSE_TIMEOUT_MS = 3_000;

describe('the bundled inspect function (esbuild, ESM, run by plain Node)', () => {
  let bundled: BundledFunction;

  beforeAll(async () => {
    bundled = await startBundledFunction({
      name: 'inspect',
      entryPoints: { handler: join(PROJECT_ROOT, 'lambdas/inspect/handler.ts') },
      buckets: [UPLOADS],
    });
  }, 120_000);

  afterAll(async () => {
    await bundled?.stop();
  });

  it('inspects in a sandboxed process of the bundle, and answers hostile bytes by name within the budget', async () => {
    // Prepare
    const upload = (name: string, body: Buffer): Promise<DocumentRef> =>
      uploadDocument(bundled.s3, UPLOADS, `incoming/${uniquePrefix('inspect-bundle')}/${name}`, body);
    const pdf = await readFile(new URL('../../../../sample-docs/report-text-layer.pdf', import.meta.url));
    const documents = [
      await upload('report.pdf', pdf),
      await upload('bomb.png', pngClaimingSize(50_000, 50_000)),
      await upload('exploding.pdf', pdfWithExplodingPage()),
      await upload('notes.txt', Buffer.from('Plain words, after a hostile PDF killed a process.')),
    ];
    const script = join(bundled.outdir, 'handler.check.mjs');
    await writeFile(
      script,
      `
      import { handler } from './handler.mjs';
      const documents = ${JSON.stringify(documents)};
      const context = { getRemainingTimeInMillis: () => 60000 };
      const results = [];
      for (const document of documents) {
        const started = Date.now();
        results.push(await handler({ document }, context).then(
          (value) => ({ value, ms: Date.now() - started }),
          (error) => ({ error: { name: error.name, message: error.message }, ms: Date.now() - started }),
        ));
      }
      console.log(JSON.stringify(results));
      `,
    );

    // Act
    const { stdout } = await run(process.execPath, [script], {
      cwd: bundled.outdir,
      timeout: 60_000,
      env: bundleProcessEnv({
        AWS_ENDPOINT_URL_S3: bundled.messaging.endpoint,
        DOCFLOW_S3_FORCE_PATH_STYLE: 'true',
        PARSE_TIMEOUT_MS: String(PARSE_TIMEOUT_MS),
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        POWERTOOLS_TRACE_ENABLED: 'false',
        POWERTOOLS_METRICS_DISABLED: 'true',
      }),
    });
    const results = JSON.parse(stdout.trim().split('\n').at(-1) ?? 'null') as {
      value?: unknown;
      error?: { name: string; message: string };
      ms: number;
    }[];

    // Assess
    expect(results.map(({ value, error }) => ({ value, error }))).toEqual([
      {
        value: expect.objectContaining({ type: 'pdf', textStrategy: 'local', hasTextLayer: true }),
        error: undefined,
      },
      {
        value: undefined,
        error: {
          name: 'DocumentTooLargeError',
          message: 'TOO_LARGE: the image exceeds the limit of 50000000 pixels',
        },
      },
      {
        value: undefined,
        error: {
          name: 'CorruptDocumentError',
          message: expect.stringMatching(
            /^CORRUPT: (inspect\.probe exceeded its|parsing the PDF timed out after) 2250 ms/,
          ),
        },
      },
      { value: expect.objectContaining({ type: 'text', textStrategy: 'local' }), error: undefined },
    ]);
    expect(results[2]?.ms).toBeLessThan(PARSE_TIMEOUT_MS + 5_000);
  });
});
