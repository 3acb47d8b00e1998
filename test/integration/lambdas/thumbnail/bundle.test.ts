import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NATIVE_PACKAGES, PROJECT_ROOT } from '../../../../infra/constructs/docflow-function';
import { derivativeKeys } from '../../../../lambdas/shared/documents/derivative-keys';
import type { DocumentRef } from '../../../../lambdas/shared/documents/document';
import { TEST_AWS, uniquePrefix, uploadDocument } from '../../../support/aws';
import { type BundledFunction, startBundledFunction } from '../../../support/bundled-function';
import { heicClaimingSize } from '../../../support/hostile-documents';

/**
 * The deployed world: the thumbnail handler bundled as the CDK app bundles it (one minified ESM file,
 * native and data-carrying packages external), run by plain Node in a child process — no vitest, no
 * tsx, no TypeScript, and with the heap flags Lambda's bootstrap adds. Its sandboxed jobs must find
 * their code by running the bundle itself, and keep their own heap cap.
 */

/** The heap flags Lambda's Node bootstrap adds for a 2048 MB function (the thumbnail function's size). */
const LAMBDA_2048_FLAGS = ['--max-semi-space-size=102', '--max-old-space-size=1844'];

const run = promisify(execFile);

/**
 * heic-decode must stay external too: its libheif build is CommonJS emitted by Emscripten that reads
 * `__dirname`, which an ES module bundle does not have (the bundled handler fails at import).
 */
const EXTERNAL = [...NATIVE_PACKAGES, 'heic-decode'];

const UPLOADS = 'uploads-bundle-test';
const DERIVATIVES = 'derivatives-bundle-test';

describe('the bundled thumbnail function (esbuild, ESM, run by plain Node)', () => {
  let bundled: BundledFunction;

  /**
   * Runs an ES module script next to the bundles with Node itself (with `execArgv`); returns what it
   * prints as JSON.
   */
  const runScript = async (
    name: string,
    source: string,
    env: Record<string, string> = {},
    execArgv: readonly string[] = [],
  ): Promise<unknown> => {
    const script = join(bundled.outdir, name);
    await writeFile(script, source);
    const { stdout } = await run(process.execPath, [...execArgv, script], {
      cwd: bundled.outdir,
      env: { PATH: process.env.PATH ?? '', POWERTOOLS_LOG_LEVEL: 'SILENT', ...env },
      timeout: 60_000,
    });
    return JSON.parse(stdout.trim().split('\n').at(-1) ?? 'null');
  };

  beforeAll(async () => {
    bundled = await startBundledFunction({
      name: 'bundle',
      entryPoints: {
        handler: join(PROJECT_ROOT, 'lambdas/thumbnail/handler.ts'),
        containment: fileURLToPath(new URL('../../../support/sandboxed-bundle-entry.ts', import.meta.url)),
      },
      external: EXTERNAL,
      buckets: [UPLOADS, DERIVATIVES],
    });
  }, 120_000);

  afterAll(async () => {
    await bundled?.stop();
  });

  it('kills a spinning job at its budget and a ballooning one at its heap cap, from inside the bundle, under Lambda flags', async () => {
    // Act
    const outcome = await runScript(
      'containment.check.mjs',
      `
      import { allocateAtOnce, allocateWithoutBound, echo, heapLimit, runSandboxed, spinForever } from './containment.mjs';
      const settle = (promise) => promise.then(
        (value) => ({ value }),
        (error) => ({ error: { name: error.name, message: error.message } }),
      );
      const started = Date.now();
      const spin = await settle(runSandboxed(spinForever, null, { budgetMs: 500, memoryMb: 64 }));
      const spinMs = Date.now() - started;
      const balloon = await settle(runSandboxed(allocateWithoutBound, null, { budgetMs: 20000, memoryMb: 64 }));
      const oneAllocation = await settle(runSandboxed(allocateAtOnce, { length: 100000000 }, { budgetMs: 20000, memoryMb: 64 }));
      const heapMb = await settle(runSandboxed(heapLimit, null, { budgetMs: 5000, memoryMb: 64 }));
      const answer = await settle(runSandboxed(echo, { value: [1, 2, 3] }, { budgetMs: 5000, memoryMb: 64 }));
      console.log(JSON.stringify({ spin, spinMs, balloon, oneAllocation, heapMb, answer, entry: spinForever.moduleUrl }));
      `,
      { NODE_OPTIONS: '--enable-source-maps' },
      LAMBDA_2048_FLAGS,
    );

    // Assess
    expect(outcome).toMatchObject({
      spin: {
        error: {
          name: 'CorruptDocumentError',
          message:
            'CORRUPT: test.spin-forever exceeded its 500 ms budget; the document may be malformed or hostile',
        },
      },
      balloon: { error: { name: 'DocumentTooLargeError' } },
      oneAllocation: { error: { name: 'DocumentTooLargeError' } },
      // The job's heap, not the function's 1844 MiB.
      heapMb: { value: 64 },
      answer: { value: [1, 2, 3] },
      // The task's own module is the bundle: its process ran the bundle, not a .ts source.
      entry: expect.stringMatching(/\/containment\.mjs$/),
    });
    expect((outcome as { spinMs: number }).spinMs).toBeLessThan(5_000);
  });

  it('makes a WebP thumbnail in a sandboxed process and rejects hostile bytes by name', async () => {
    // Prepare
    const upload = (name: string, body: Buffer): Promise<DocumentRef> =>
      uploadDocument(bundled.s3, UPLOADS, `incoming/${uniquePrefix('bundle')}/${name}`, body);
    const photo = await readFile(new URL('../../../../sample-docs/photo-exif-rotated.jpg', import.meta.url));
    const pdf = await readFile(new URL('../../../../sample-docs/report-text-layer.pdf', import.meta.url));
    const photoDocument = await upload('photo.jpg', photo);
    const pdfDocument = await upload('report.pdf', pdf);
    const events = [
      { document: photoDocument, inspection: { type: 'jpeg' } },
      { document: pdfDocument, inspection: { type: 'pdf' } },
      { document: await upload('cut.jpg', photo.subarray(0, 2_000)), inspection: { type: 'jpeg' } },
      // Loads heic-decode (external) in the sandboxed process, and refuses the claimed size before decoding.
      {
        document: await upload('huge.heic', await heicClaimingSize(50_000, 50_000)),
        inspection: { type: 'heic' },
      },
    ];

    // Act
    const outcome = (await runScript(
      'handler.check.mjs',
      `
      import { handler } from './handler.mjs';
      const events = ${JSON.stringify(events)};
      const context = { getRemainingTimeInMillis: () => 90000 };
      const results = [];
      for (const event of events) {
        results.push(await handler(event, context).then(
          (value) => ({ value }),
          (error) => ({ error: { name: error.name, message: error.message } }),
        ));
      }
      console.log(JSON.stringify(results));
      `,
      {
        AWS_REGION: TEST_AWS.region,
        AWS_ACCESS_KEY_ID: TEST_AWS.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: TEST_AWS.credentials.secretAccessKey,
        AWS_ENDPOINT_URL_S3: bundled.messaging.endpoint,
        DOCFLOW_S3_FORCE_PATH_STYLE: 'true',
        DERIVATIVES_BUCKET_NAME: DERIVATIVES,
        POWERTOOLS_TRACE_ENABLED: 'false',
        POWERTOOLS_METRICS_DISABLED: 'true',
        NODE_OPTIONS: '--enable-source-maps',
      },
      LAMBDA_2048_FLAGS,
    )) as { value?: unknown; error?: { name: string } }[];

    // Assess
    expect(outcome).toEqual([
      {
        value: {
          thumbnail: {
            bucket: DERIVATIVES,
            key: derivativeKeys.thumbnail(photoDocument),
            width: 144,
            height: 256,
            contentType: 'image/webp',
          },
        },
      },
      {
        value: {
          thumbnail: expect.objectContaining({
            key: derivativeKeys.thumbnail(pdfDocument),
            width: 198,
            height: 256,
          }),
        },
      },
      { error: expect.objectContaining({ name: 'CorruptDocumentError' }) },
      { error: expect.objectContaining({ name: 'DocumentTooLargeError' }) },
    ]);
    const stored = await bundled.s3.send(
      new GetObjectCommand({
        Bucket: DERIVATIVES,
        Key: derivativeKeys.thumbnail(photoDocument),
      }),
    );
    const webp = Buffer.from((await stored.Body?.transformToByteArray()) ?? []);
    expect(await sharp(webp).metadata()).toMatchObject({ format: 'webp', width: 144, height: 256 });
  });
});
