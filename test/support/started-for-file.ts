import { afterAll, beforeAll } from 'vitest';

/**
 * Something the calling test file starts before its tests (`start`, which cleans up after itself when
 * it fails) and stops after them. The returned function gives it while the tests run, and fails,
 * naming `what`, when it is read before it started.
 */
export const startedForFile = <T>(
  what: string,
  start: () => Promise<T>,
  stop: (started: T) => Promise<void>,
): (() => T) => {
  let started: T | undefined;
  beforeAll(async () => {
    started = await start();
  });
  afterAll(async () => {
    if (started !== undefined) await stop(started);
  });
  return () => {
    if (started === undefined) throw new Error(`${what} is used before it started`);
    return started;
  };
};
