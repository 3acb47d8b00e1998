import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { documentId, normalizeSequencer, shardOf } from '../../../../lambdas/shared/documents/document';
import { documentTaskInputSchema } from '../../../../lambdas/shared/documents/document-ref-schema';
import { MalformedNotificationError } from '../../../../lambdas/shared/documents/errors';
import { executionName, reprocessExecutionName } from '../../../../lambdas/starter/execution-name';
import { type IngestMessage, parseIngestMessage } from '../../../../lambdas/starter/s3-notification';
import {
  deletionRefOf,
  type ExecutionRequest,
  type ExecutionStarter,
  type StartOutcome,
  type StartResult,
  startDocuments,
} from '../../../../lambdas/starter/start-documents';
import { aDocument, aReprocessMessage } from '../../../fixtures/document-outcomes';
import {
  DEFAULT_BUCKET,
  DEFAULT_EVENT_TIME,
  type S3ObjectSpec,
  s3Notification,
  s3TestEvent,
} from '../../../fixtures/s3-sqs-events';

const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:pipeline';

/** Step Functions in memory: names are unique, a repeated name is reported as already existing. */
class InMemoryExecutionStarter implements ExecutionStarter {
  readonly executions = new Map<string, { input: string; documentId: string }>();
  readonly #failures = new Map<string, Error>();

  failWhenStarting(name: string, error: Error): void {
    this.#failures.set(name, error);
  }

  async start({ name, input, documentId }: ExecutionRequest): Promise<StartResult> {
    const failure = this.#failures.get(name);
    if (failure) throw failure;
    const executionArn = `${STATE_MACHINE.replace(':stateMachine:', ':execution:')}:${name}`;
    if (this.executions.has(name)) return { status: 'already-exists', executionArn };
    this.executions.set(name, { input, documentId });
    return { status: 'started', executionArn, traceId: `trace-of-${name}` };
  }
}

const messageOf = (...objects: S3ObjectSpec[]): IngestMessage =>
  parseIngestMessage(JSON.stringify(s3Notification(...objects)));

const startedNames = (outcomes: StartOutcome[]): string[] =>
  outcomes.flatMap((outcome) => (outcome.kind === 'started' ? [outcome.executionName] : []));

describe('startDocuments', () => {
  it('starts one execution with the document built from the notification', async () => {
    // Prepare
    const executions = new InMemoryExecutionStarter();
    const message = messageOf({
      bucket: 'uploads',
      key: 'incoming/a+b c.pdf',
      size: 2048,
      eTag: 'd41d8cd98f00b204e9800998ecf8427e',
      versionId: 'Xk3.version_1',
      sequencer: '0055aed6dcd90281e5',
      eventTime: '2026-11-23T10:00:00.123Z',
    });
    const id = documentId('uploads', 'incoming/a+b c.pdf');
    const name = executionName('uploads', 'incoming/a+b c.pdf', 'Xk3.version_1');

    // Act
    const outcomes = await startDocuments(message, executions);

    // Assess
    const document = {
      id,
      bucket: 'uploads',
      key: 'incoming/a+b c.pdf',
      version: 'Xk3.version_1',
      versionId: 'Xk3.version_1',
      sequencer: '0055AED6DCD90281E500000000000000',
      size: 2048,
      eTag: 'd41d8cd98f00b204e9800998ecf8427e',
      uploadedAt: '2026-11-23T10:00:00.123Z',
      shard: shardOf(id),
    };
    expect(outcomes).toEqual([
      {
        kind: 'started',
        document,
        executionName: name,
        executionArn: `arn:aws:states:us-east-1:123456789012:execution:pipeline:${name}`,
        traceId: `trace-of-${name}`,
      },
    ]);
    expect([...executions.executions.keys()]).toEqual([name]);
    expect(executions.executions.get(name)?.input).toBe(JSON.stringify({ document, generation: 0 }));
  });

  it('serializes the input with a fixed property order', async () => {
    // Prepare
    const executions = new InMemoryExecutionStarter();

    // Act
    await startDocuments(messageOf({ key: 'incoming/a.pdf' }), executions);

    // Assess
    const [{ input }] = [...executions.executions.values()] as [{ input: string; documentId: string }];
    expect(Object.keys(JSON.parse(input))).toEqual(['document', 'generation']);
    expect(Object.keys(JSON.parse(input).document)).toEqual([
      'id',
      'bucket',
      'key',
      'version',
      'versionId',
      'sequencer',
      'size',
      'eTag',
      'uploadedAt',
      'shard',
    ]);
  });

  it.each([
    { name: 'absent (unversioned bucket)', versionId: null },
    { name: '"null" (written while versioning was off)', versionId: 'null' },
  ])('uses the normalized sequencer as version when versionId is $name', async ({ versionId }) => {
    // Prepare
    const executions = new InMemoryExecutionStarter();
    const message = messageOf({ key: 'incoming/a.pdf', versionId, sequencer: '0055AED6DCD90281E5' });

    // Act
    const [outcome] = await startDocuments(message, executions);

    // Assess
    expect(outcome?.kind).toBe('started');
    const document = outcome?.kind === 'started' ? outcome.document : undefined;
    expect(document?.version).toBe(normalizeSequencer('0055AED6DCD90281E5'));
    expect(document).not.toHaveProperty('versionId');
  });

  it('drops an s3:TestEvent without starting anything', async () => {
    // Prepare
    const executions = new InMemoryExecutionStarter();
    const message = parseIngestMessage(JSON.stringify(s3TestEvent('uploads')));

    // Act
    const outcomes = await startDocuments(message, executions);

    // Assess
    expect(outcomes).toEqual([{ kind: 'test-event-dropped', bucket: 'uploads' }]);
    expect(executions.executions.size).toBe(0);
  });

  it('ignores records that are neither creations nor removals and starts the others', async () => {
    // Prepare
    const executions = new InMemoryExecutionStarter();
    const message = messageOf(
      { key: 'incoming/cold.pdf', eventName: 'ObjectRestore:Completed' },
      { key: 'incoming/new.pdf' },
    );

    // Act
    const outcomes = await startDocuments(message, executions);

    // Assess
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(['ignored', 'started']);
    expect(outcomes[0]).toEqual({ kind: 'ignored', eventName: 'ObjectRestore:Completed' });
    expect(executions.executions.size).toBe(1);
  });

  it('starts one deletion per removal; a redelivery is a duplicate, a later removal a new one', async () => {
    // Prepare
    const executions = new InMemoryExecutionStarter();
    const removal = { key: 'incoming/gone.pdf', eventName: 'ObjectRemoved:Delete', versionId: null };
    await startDocuments(messageOf({ ...removal, sequencer: '0A' }), executions);

    // Act
    const again = await startDocuments(messageOf({ ...removal, sequencer: '0A' }), executions);
    const later = await startDocuments(messageOf({ ...removal, sequencer: '0C' }), executions);

    // Assess
    expect(again.map((outcome) => outcome.kind)).toEqual(['deletion-duplicate']);
    expect(later.map((outcome) => outcome.kind)).toEqual(['deletion-started']);
    expect(executions.executions.size).toBe(2);
    const [first] = again;
    if (first?.kind !== 'deletion-duplicate') throw new Error('expected a deletion');
    expect(first.deletion).toEqual({
      id: documentId(DEFAULT_BUCKET, 'incoming/gone.pdf'),
      bucket: DEFAULT_BUCKET,
      key: 'incoming/gone.pdf',
      sequencer: `0A${'0'.repeat(30)}`,
      deletedAt: DEFAULT_EVENT_TIME,
      shard: shardOf(documentId(DEFAULT_BUCKET, 'incoming/gone.pdf')),
    });
  });

  it('removes one version only when a delete names a real version; a delete marker removes the key', () => {
    // Prepare
    const record = (eventName: string, versionId: string | null) => {
      const message = messageOf({ key: 'incoming/a.pdf', eventName, versionId });
      if (message.kind !== 'notification' || message.records[0]?.kind !== 'object-removed')
        throw new Error('expected a removal');
      return message.records[0];
    };

    // Act
    const permanent = deletionRefOf(record('ObjectRemoved:Delete', 'v-7'));
    const unversioned = deletionRefOf(record('ObjectRemoved:Delete', 'null'));
    const marker = deletionRefOf(record('ObjectRemoved:DeleteMarkerCreated', 'marker-3'));

    // Assess
    expect(permanent.versionId).toBe('v-7');
    expect(unversioned.versionId).toBeUndefined();
    expect(marker.versionId).toBeUndefined();
  });

  it('reports a redelivered notification as a duplicate of the running execution', async () => {
    // Prepare
    const executions = new InMemoryExecutionStarter();
    const message = messageOf({ key: 'incoming/a.pdf', versionId: 'v1' });
    await startDocuments(message, executions);

    // Act
    const outcomes = await startDocuments(message, executions);

    // Assess
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(['duplicate']);
    expect(executions.executions.size).toBe(1);
  });

  it('starts a new execution for a new version of the same key, for the same document', async () => {
    // Prepare
    const executions = new InMemoryExecutionStarter();

    // Act
    const [first] = await startDocuments(messageOf({ key: 'incoming/a.pdf', versionId: 'v1' }), executions);
    const [second] = await startDocuments(messageOf({ key: 'incoming/a.pdf', versionId: 'v2' }), executions);

    // Assess
    expect(first?.kind).toBe('started');
    expect(second?.kind).toBe('started');
    if (first?.kind !== 'started' || second?.kind !== 'started') return;
    expect(second.executionName).not.toBe(first.executionName);
    expect(second.document.id).toBe(first.document.id);
  });

  it('treats NFC and NFD spellings of a key as two documents', async () => {
    // Prepare
    const executions = new InMemoryExecutionStarter();
    const message = messageOf({ key: 'incoming/caf\u00e9.pdf' }, { key: 'incoming/cafe\u0301.pdf' });

    // Act
    const outcomes = await startDocuments(message, executions);

    // Assess
    const keys = outcomes.map((outcome) => (outcome.kind === 'started' ? outcome.document.key : undefined));
    const ids = outcomes.map((outcome) => (outcome.kind === 'started' ? outcome.document.id : undefined));
    expect(keys).toEqual(['incoming/caf\u00e9.pdf', 'incoming/cafe\u0301.pdf']);
    expect(new Set(ids).size).toBe(2);
    expect(executions.executions.size).toBe(2);
  });

  it('starts every record of a message and reports the one that failed', async () => {
    // Prepare
    const executions = new InMemoryExecutionStarter();
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    executions.failWhenStarting(executionName('docflow-uploads', 'incoming/b.pdf', 'v1'), throttled);
    const message = messageOf(
      { key: 'incoming/a.pdf', versionId: 'v1' },
      { key: 'incoming/b.pdf', versionId: 'v1' },
      { key: 'incoming/c.pdf', versionId: 'v1' },
    );

    // Act
    const outcomes = await startDocuments(message, executions);

    // Assess
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(['started', 'failed', 'started']);
    expect(outcomes[1]).toMatchObject({
      kind: 'failed',
      error: throttled,
      eventName: 'ObjectCreated:Put',
      encodedKey: 'incoming/b.pdf',
      document: { key: 'incoming/b.pdf', version: 'v1' },
    });
    expect(executions.executions.size).toBe(2);
  });

  it('fails a record whose key is not valid percent-encoding, without starting it', async () => {
    // Prepare
    const executions = new InMemoryExecutionStarter();
    const notification = s3Notification({ key: 'incoming/a.pdf' });
    const record = notification.Records[0];
    if (!record) throw new Error('fixture has no record');
    record.s3.object.key = 'incoming/%E0%A4%A.pdf';
    const message = parseIngestMessage(JSON.stringify(notification));

    // Act
    const [outcome] = await startDocuments(message, executions);

    // Assess
    expect(outcome?.kind).toBe('failed');
    expect(outcome?.kind === 'failed' && outcome.error).toBeInstanceOf(MalformedNotificationError);
    expect(outcome).not.toHaveProperty('document');
    expect(executions.executions.size).toBe(0);
  });

  it('names the document of every start, and keeps the trace each execution was started in', async () => {
    // Prepare
    const executions = new InMemoryExecutionStarter();
    const message = messageOf(
      { key: 'incoming/a.pdf' },
      { key: 'incoming/b.pdf', eventName: 'ObjectRemoved:DeleteMarkerCreated', versionId: 'marker' },
    );

    // Act
    const outcomes = await startDocuments(message, executions);

    // Assess
    expect([...executions.executions.values()].map((execution) => execution.documentId)).toEqual([
      documentId(DEFAULT_BUCKET, 'incoming/a.pdf'),
      documentId(DEFAULT_BUCKET, 'incoming/b.pdf'),
    ]);
    expect(outcomes).toEqual([
      expect.objectContaining({ kind: 'started', traceId: `trace-of-${startedNames(outcomes)[0]}` }),
      expect.objectContaining({
        kind: 'deletion-started',
        traceId: expect.stringMatching(/^trace-of-deleted-/),
      }),
    ]);
  });

  it('builds the same name and input from any serialization of the same notification', async () => {
    const spec = fc.record({
      key: fc.string({ unit: 'binary', minLength: 1, maxLength: 100 }),
      versionId: fc.option(fc.stringMatching(/^[A-Za-z0-9._]{1,32}$/)),
      sequencer: fc.stringMatching(/^[0-9A-F]{16,20}$/),
      size: fc.nat(),
    });
    await fc.assert(
      fc.asyncProperty(spec, async (object) => {
        // Prepare: the redelivery has its object fields in another order and other whitespace.
        const notification = s3Notification(object);
        const reordered = {
          Records: notification.Records.map((record) => ({
            s3: { ...record.s3, object: Object.fromEntries(Object.entries(record.s3.object).reverse()) },
            eventName: record.eventName,
            eventTime: record.eventTime,
          })),
        };
        const first = new InMemoryExecutionStarter();
        const second = new InMemoryExecutionStarter();

        // Act
        const a = await startDocuments(parseIngestMessage(JSON.stringify(notification)), first);
        const b = await startDocuments(parseIngestMessage(JSON.stringify(reordered, null, 2)), second);

        // Assess
        expect(startedNames(b)).toEqual(startedNames(a));
        expect([...second.executions.values()]).toEqual([...first.executions.values()]);
        const [{ input }] = [...first.executions.values()] as [{ input: string; documentId: string }];
        expect(JSON.parse(input).document.key).toBe(object.key);
        // The contract with the tasks: they parse exactly this document, losing nothing; an upload's
        // run is generation 0.
        expect({ ...documentTaskInputSchema.parse(JSON.parse(input)), generation: 0 }).toEqual(
          JSON.parse(input),
        );
      }),
      { numRuns: 100 },
    );
  });

  it('starts a reprocess as its generation, with the document and the generation as input', async () => {
    // Prepare
    const executions = new InMemoryExecutionStarter();
    const document = aDocument('incoming/big scan.pdf', '0055AED6DCD90281E5');
    const message = parseIngestMessage(JSON.stringify(aReprocessMessage(document, 2)));
    const name = reprocessExecutionName(document.bucket, document.key, document.version, 2);

    // Act
    const outcomes = await startDocuments(message, executions);

    // Assess
    expect(outcomes).toEqual([
      {
        kind: 'reprocess-started',
        document,
        generation: 2,
        executionName: name,
        executionArn: `arn:aws:states:us-east-1:123456789012:execution:pipeline:${name}`,
        traceId: `trace-of-${name}`,
      },
    ]);
    expect(executions.executions.get(name)).toEqual({
      input: JSON.stringify({ document, generation: 2 }),
      documentId: document.id,
    });
  });

  it('starts nothing twice: the same request again is a duplicate, the next generation a new run', async () => {
    // Prepare
    const executions = new InMemoryExecutionStarter();
    const document = aDocument('incoming/big scan.pdf', '0055AED6DCD90281E5');
    const request = (generation: number) =>
      parseIngestMessage(JSON.stringify(aReprocessMessage(document, generation)));
    await startDocuments(messageOf({ key: document.key, sequencer: '0055AED6DCD90281E5' }), executions);

    // Act
    const first = await startDocuments(request(1), executions);
    const again = await startDocuments(request(1), executions);
    const next = await startDocuments(request(2), executions);

    // Assess
    expect([first, again, next].map((outcomes) => outcomes.map((outcome) => outcome.kind))).toEqual([
      ['reprocess-started'],
      ['reprocess-duplicate'],
      ['reprocess-started'],
    ]);
    expect(executions.executions.size).toBe(3);
  });

  it('reports a reprocess that could not start as failed, naming its document', async () => {
    // Prepare
    const executions = new InMemoryExecutionStarter();
    const document = aDocument('incoming/a.pdf', '01');
    const error = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    executions.failWhenStarting(
      reprocessExecutionName(document.bucket, document.key, document.version, 1),
      error,
    );

    // Act
    const outcomes = await startDocuments(
      parseIngestMessage(JSON.stringify(aReprocessMessage(document))),
      executions,
    );

    // Assess
    expect(outcomes).toEqual([
      { kind: 'failed', error, eventName: 'docflow:reprocess', encodedKey: document.key, document },
    ]);
  });
});
