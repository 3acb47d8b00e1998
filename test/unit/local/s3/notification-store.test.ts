import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NotificationConfiguration } from '../../../../local/s3/notification-configuration';
import { NotificationStore, nextSequencer, SEQUENCER_DIGITS } from '../../../../local/s3/notification-store';
import { temporaryFolderPerTest } from '../../../support/unit-temporary-folder';

const NOW = Date.parse('2026-11-23T12:00:00.000Z');

const configuration: NotificationConfiguration = {
  rules: [
    {
      id: 'incoming',
      destination: { kind: 'queue', arn: 'arn:aws:sqs:us-east-1:000000000000:ingest' },
      events: ['s3:ObjectCreated:*'],
      filter: { prefix: 'incoming/' },
    },
  ],
};

describe('nextSequencer', () => {
  it('follows the clock, at a fixed width of uppercase hex digits', () => {
    // Act
    const first = nextSequencer(undefined, NOW);
    const later = nextSequencer(first, NOW + 1);

    // Assess
    expect(first).toMatch(new RegExp(`^[0-9A-F]{${SEQUENCER_DIGITS}}$`));
    expect(later).toMatch(new RegExp(`^[0-9A-F]{${SEQUENCER_DIGITS}}$`));
    expect(later > first).toBe(true);
  });

  it('still increases when the clock stands still or goes back', () => {
    // Prepare
    const first = nextSequencer(undefined, NOW);

    // Act
    const same = nextSequencer(first, NOW);
    const back = nextSequencer(same, NOW - 60_000);

    // Assess
    expect(BigInt(`0x${same}`) - BigInt(`0x${first}`)).toBe(1n);
    expect(BigInt(`0x${back}`) - BigInt(`0x${same}`)).toBe(1n);
  });
});

describe('NotificationStore', () => {
  const dataDir = temporaryFolderPerTest('docflow-notification-store-');

  it('keeps configurations and sequencers across reopening', async () => {
    // Prepare
    const store = NotificationStore.open(dataDir());
    await store.setConfiguration('uploads', configuration);
    const before = await store.takeSequencer('uploads', NOW);

    // Act
    const reopened = NotificationStore.open(dataDir());
    const after = await reopened.takeSequencer('uploads', NOW - 1000);

    // Assess
    expect(reopened.configuration('uploads')).toEqual(configuration);
    expect(reopened.configuration('other')).toEqual({ rules: [] });
    expect(after > before).toBe(true);
  });

  it('counts each bucket on its own, and forgets a deleted bucket’s configuration but not its sequencer', async () => {
    // Prepare
    const store = NotificationStore.open(dataDir());
    await store.setConfiguration('uploads', configuration);
    const uploads = await store.takeSequencer('uploads', NOW);
    const other = await store.takeSequencer('other', NOW);

    // Act
    await store.forgetBucket('uploads');
    const saved = JSON.parse(await readFile(join(dataDir(), 's3-notifications.json'), 'utf8'));

    // Assess
    expect(other).toBe(uploads);
    expect(saved.configurations).toEqual({});
    expect(saved.sequencers).toEqual({ uploads, other });
  });

  it('hands out increasing sequencers at once, each on disk when it resolves, a burst sharing writes', async () => {
    // Prepare
    const store = NotificationStore.open(dataDir());
    const saved = async () =>
      JSON.parse(await readFile(join(dataDir(), 's3-notifications.json'), 'utf8')).sequencers
        .uploads as string;

    // Act
    const taken = Array.from({ length: 20 }, () => store.takeSequencer('uploads', NOW));
    const first = await taken[0];
    const onDiskAfterFirst = await saved();
    const all = await Promise.all(taken);

    // Assess
    expect(new Set(all).size).toBe(20);
    expect([...all].sort()).toEqual(all);
    expect(onDiskAfterFirst >= (first ?? '')).toBe(true);
    expect(await saved()).toBe(all.at(-1));
  });

  it('refuses a file that is not its own, rather than starting over', async () => {
    // Prepare
    await writeFile(join(dataDir(), 's3-notifications.json'), '{"version":2}');

    // Act
    const open = () => NotificationStore.open(dataDir());

    // Assess
    expect(open).toThrow(/is not a bucket notification store/);
  });
});
