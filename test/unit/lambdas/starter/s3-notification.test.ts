import { describe, expect, it } from 'vitest';
import { MalformedNotificationError } from '../../../../lambdas/shared/documents/errors';
import { parseIngestMessage } from '../../../../lambdas/starter/s3-notification';
import { aDocument, aReprocessMessage } from '../../../fixtures/document-outcomes';
import {
  DEFAULT_BUCKET,
  DEFAULT_EVENT_TIME,
  DEFAULT_SEQUENCER,
  s3Notification,
  s3TestEvent,
} from '../../../fixtures/s3-sqs-events';

const body = (value: unknown): string => JSON.stringify(value);

describe('parseIngestMessage', () => {
  it('reads a created object with its key still encoded', () => {
    // Prepare
    const object = {
      bucket: 'uploads',
      size: 42,
      eTag: 'abc123',
      versionId: 'v-1',
      sequencer: '0055AED6DCD90281E5',
      eventName: 'ObjectCreated:CompleteMultipartUpload',
      eventTime: '2026-11-23T10:00:00.123Z',
    };
    const notification = s3Notification({ ...object, key: 'incoming/a+b c.pdf' });

    // Act
    const message = parseIngestMessage(body(notification));

    // Assess
    expect(message).toEqual({
      kind: 'notification',
      records: [{ kind: 'object-created', ...object, encodedKey: 'incoming/a%2Bb+c.pdf' }],
    });
  });

  it('leaves versionId out for an unversioned bucket', () => {
    // Act
    const message = parseIngestMessage(body(s3Notification({ key: 'incoming/a.pdf', versionId: null })));

    // Assess
    expect(message.kind === 'notification' && message.records[0]).not.toHaveProperty('versionId');
  });

  it('recognises the s3:TestEvent', () => {
    // Act
    const message = parseIngestMessage(body(s3TestEvent('uploads')));

    // Assess
    expect(message).toEqual({ kind: 'test-event', bucket: 'uploads' });
  });

  it('keeps other events as records to drop, without requiring object fields', () => {
    // Prepare
    const restore = s3Notification({ key: 'incoming/a.pdf', eventName: 'ObjectRestore:Completed' });
    const { size: _size, eTag: _eTag, ...object } = restore.Records[0]?.s3.object ?? {};
    const withoutObjectFields = { Records: [{ ...restore.Records[0], s3: { object } }] };

    // Act
    const message = parseIngestMessage(body(withoutObjectFields));

    // Assess
    expect(message).toEqual({
      kind: 'notification',
      records: [{ kind: 'other', eventName: 'ObjectRestore:Completed' }],
    });
  });

  it('reads removals without size or eTag, keeping the version id as sent', () => {
    // Prepare
    const removal = s3Notification(
      { key: 'incoming/a+b.pdf', eventName: 'ObjectRemoved:DeleteMarkerCreated', versionId: 'marker-1' },
      { key: 'incoming/c.pdf', eventName: 'ObjectRemoved:Delete', versionId: null, sequencer: '0A' },
    );

    // Act
    const message = parseIngestMessage(body(removal));

    // Assess
    expect(message).toEqual({
      kind: 'notification',
      records: [
        {
          kind: 'object-removed',
          eventName: 'ObjectRemoved:DeleteMarkerCreated',
          eventTime: DEFAULT_EVENT_TIME,
          bucket: DEFAULT_BUCKET,
          encodedKey: 'incoming/a%2Bb.pdf',
          versionId: 'marker-1',
          sequencer: DEFAULT_SEQUENCER,
        },
        {
          kind: 'object-removed',
          eventName: 'ObjectRemoved:Delete',
          eventTime: DEFAULT_EVENT_TIME,
          bucket: DEFAULT_BUCKET,
          encodedKey: 'incoming/c.pdf',
          sequencer: '0A',
        },
      ],
    });
  });

  it('refuses a removal without a sequencer: it could not be ordered against uploads', () => {
    // Prepare
    const removal = s3Notification({ key: 'incoming/a.pdf', eventName: 'ObjectRemoved:Delete' });
    const { sequencer: _sequencer, ...object } = removal.Records[0]?.s3.object ?? {};
    const withoutSequencer = {
      Records: [{ ...removal.Records[0], s3: { ...removal.Records[0]?.s3, object } }],
    };

    // Act & Assess
    expect(() => parseIngestMessage(body(withoutSequencer))).toThrow(MalformedNotificationError);
  });

  it('accepts a notification without records', () => {
    // Act & Assess
    expect(parseIngestMessage('{"Records":[]}')).toEqual({ kind: 'notification', records: [] });
  });

  it.each([
    { name: 'not JSON', text: 'hello', message: /not JSON: hello/ },
    { name: 'empty', text: '', message: /not JSON/ },
    { name: 'JSON of another shape', text: '{"foo":1}', message: /not an S3 event notification/ },
    { name: 'a JSON array', text: '[]', message: /not an S3 event notification/ },
    {
      name: 'an SNS envelope',
      text: body({ Type: 'Notification', Message: body(s3Notification({ key: 'incoming/a.pdf' })) }),
      message: /not an S3 event notification/,
    },
  ])('rejects a body that is $name', ({ text, message }) => {
    // Act & Assess
    expect(() => parseIngestMessage(text)).toThrow(MalformedNotificationError);
    expect(() => parseIngestMessage(text)).toThrow(message);
  });

  it.each([
    ['without a sequencer', { sequencer: undefined }],
    ['with a sequencer that is not hex', { sequencer: 'not-hex' }],
    ['with a negative size', { size: -1 }],
    ['with an empty key', { key: '' }],
  ])('rejects a created object %s', (_name, override) => {
    // Prepare
    const notification = s3Notification({ key: 'incoming/a.pdf' });
    const record = notification.Records[0];
    if (!record) throw new Error('fixture has no record');
    const broken = {
      Records: [{ ...record, s3: { ...record.s3, object: { ...record.s3.object, ...override } } }],
    };

    // Act & Assess
    expect(() => parseIngestMessage(body(broken))).toThrow(MalformedNotificationError);
  });

  it('rejects a created object whose event time is not a timestamp', () => {
    // Prepare
    const notification = s3Notification({ key: 'incoming/a.pdf', eventTime: 'yesterday' });

    // Act & Assess
    expect(() => parseIngestMessage(body(notification))).toThrow(MalformedNotificationError);
  });

  it('keeps the error message short for a huge body', () => {
    // Prepare
    const huge = `{"foo":"${'x'.repeat(100_000)}"}`;

    // Act
    const error = (() => {
      try {
        parseIngestMessage(huge);
      } catch (caught) {
        return caught;
      }
    })();

    // Assess
    expect(error).toBeInstanceOf(MalformedNotificationError);
    expect((error as Error).message.length).toBeLessThan(2_000);
  });

  it('reads the query API’s reprocess request', () => {
    // Prepare
    const document = aDocument('incoming/big scan.pdf', '0055AED6DCD90281E5', {
      version: 'v-7',
      versionId: 'v-7',
    });

    // Act
    const message = parseIngestMessage(body(aReprocessMessage(document, 3)));

    // Assess
    expect(message).toEqual({ kind: 'reprocess', document, generation: 3 });
  });

  it.each([
    ['generation 0 (that is an upload’s run)', { generation: 0 }],
    ['a fractional generation', { generation: 1.5 }],
    ['no generation', { generation: undefined }],
    ['an unknown member', { force: true }],
    ['another kind', { docflow: 'delete' }],
  ])('rejects a reprocess request with %s', (_name, override) => {
    // Prepare
    const message = { ...aReprocessMessage(aDocument('incoming/a.pdf', '01')), ...override };

    // Act & Assess
    expect(() => parseIngestMessage(body(message))).toThrow(MalformedNotificationError);
  });

  it.each([
    ['an id that is not its bucket and key’s', { id: 'AAAAAAAAAAAAAAAAAAAAAA' }],
    ['a shard that is not its id’s', { shard: '9' }],
    ['a sequencer that is not normalized', { sequencer: '0055aed6' }],
    ['a version that is neither its versionId nor its sequencer', { version: 'v-2' }],
    ['a versionId its version does not name', { versionId: 'v-3' }],
    ['no size', { size: undefined }],
  ])('rejects a reprocess request whose document has %s', (_name, override) => {
    // Prepare
    const document = { ...aDocument('incoming/a.pdf', '01'), ...override };

    // Act & Assess
    expect(() => parseIngestMessage(body(aReprocessMessage(document as never)))).toThrow(
      /not an S3 event notification nor a docflow reprocess request/,
    );
  });
});
