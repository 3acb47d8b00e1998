import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll } from 'vitest';
import { type MessagingEmulator, startMessaging } from '../../local/emulators/fauxqs';
import { createBucket, testS3, useEmulatorEnv } from './aws';

/** A handler under test on the local S3, and an S3 client on the same emulator. */
export interface LocalS3Handler<H> {
  readonly handler: H;
  readonly s3: S3Client;
}

/**
 * A function's handler run in this process against fauxqs's S3, for the calling test file. Before its
 * tests: starts the emulator, creates `buckets`, points the SDK at it, sets `environment`, and only then
 * imports the handler with `load`, since it reads its configuration and creates its clients at module
 * scope. After them: unsets `environment` and stops the emulator.
 */
export const useHandlerOnLocalS3 = <H>(options: {
  readonly buckets: readonly string[];
  readonly environment: Readonly<Record<string, string>>;
  readonly load: () => Promise<H>;
}): LocalS3Handler<H> => {
  let messaging: MessagingEmulator | undefined;
  let started: LocalS3Handler<H> | undefined;
  beforeAll(async () => {
    messaging = await startMessaging();
    const { endpoint } = messaging;
    useEmulatorEnv({ s3: endpoint });
    Object.assign(process.env, options.environment);
    await Promise.all(options.buckets.map((bucket) => createBucket(endpoint, bucket)));
    started = { s3: testS3(endpoint), handler: await options.load() };
  });
  afterAll(async () => {
    for (const name of Object.keys(options.environment)) delete process.env[name];
    started?.s3.destroy();
    await messaging?.stop();
  });
  const current = (): LocalS3Handler<H> => {
    if (!started) throw new Error('the handler is used before the local S3 started');
    return started;
  };
  return {
    get handler() {
      return current().handler;
    },
    get s3() {
      return current().s3;
    },
  };
};
