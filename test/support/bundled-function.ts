import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { build } from 'esbuild';
import { PROJECT_ROOT } from '../../infra/constructs/docflow-function';
import { type MessagingEmulator, startMessaging } from '../../local/emulators/fauxqs';
import { createBucket, testS3 } from './aws';
import { CDK_BUNDLE_OPTIONS } from './cdk-bundle-options';

/** A function bundled as the CDK app bundles it, beside an S3 emulator that holds its buckets. */
export interface BundledFunction {
  /** The bundle's folder: under node_modules, so that external packages resolve from it as they do in /var/task. */
  readonly outdir: string;
  readonly messaging: MessagingEmulator;
  readonly s3: S3Client;
  /** Stops the emulator and deletes the bundle. */
  stop(): Promise<void>;
}

export interface BundledFunctionOptions {
  /** Names the bundle's folder. */
  readonly name: string;
  /** esbuild's entry points: output name → source file. */
  readonly entryPoints: Readonly<Record<string, string>>;
  /** @default - the CDK app's external packages */
  readonly external?: readonly string[];
  /** Buckets to create on the emulator. */
  readonly buckets: readonly string[];
}

/**
 * Bundles a function into `.mjs` files with source maps while the S3 emulator starts, then creates its
 * buckets: what the tests that run a bundle with plain Node, as Lambda does, need first.
 */
export const startBundledFunction = async (options: BundledFunctionOptions): Promise<BundledFunction> => {
  const outdir = join(
    PROJECT_ROOT,
    'node_modules',
    '.cache',
    'docflow-tests',
    `${options.name}-${randomUUID()}`,
  );
  await mkdir(outdir, { recursive: true });
  const [messaging] = await Promise.all([
    startMessaging(),
    build({
      ...CDK_BUNDLE_OPTIONS,
      entryPoints: { ...options.entryPoints },
      outdir,
      outExtension: { '.js': '.mjs' },
      sourcemap: true,
      ...(options.external ? { external: [...options.external] } : {}),
    }),
  ]);
  await Promise.all(options.buckets.map((bucket) => createBucket(messaging.endpoint, bucket)));
  const s3 = testS3(messaging.endpoint);
  return {
    outdir,
    messaging,
    s3,
    stop: async () => {
      s3.destroy();
      await messaging.stop();
      await rm(outdir, { recursive: true, force: true });
    },
  };
};
