import type { S3Client } from '@aws-sdk/client-s3';
import { startMessaging } from '../../local/emulators/fauxqs';
import { createBucket, testS3, useEmulatorEnv } from './aws';
import { startedForFile } from './started-for-file';

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
  const current = startedForFile(
    'the handler on the local S3',
    async () => {
      const messaging = await startMessaging();
      try {
        useEmulatorEnv({ s3: messaging.endpoint });
        Object.assign(process.env, options.environment);
        await Promise.all(options.buckets.map((bucket) => createBucket(messaging.endpoint, bucket)));
        return { messaging, s3: testS3(messaging.endpoint), handler: await options.load() };
      } catch (error) {
        await messaging.stop();
        throw error;
      }
    },
    async ({ messaging, s3 }) => {
      for (const name of Object.keys(options.environment)) delete process.env[name];
      s3.destroy();
      await messaging.stop();
    },
  );
  return {
    get handler() {
      return current().handler;
    },
    get s3() {
      return current().s3;
    },
  };
};
