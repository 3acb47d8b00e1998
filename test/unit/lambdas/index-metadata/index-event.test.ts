import { describe, expect, it } from 'vitest';
import { indexEventSchema, outcomeAnnotations } from '../../../../lambdas/index-metadata/index-event';
import {
  aDeletion,
  aDocument,
  aProcessedOutcome,
  aRejectedOutcome,
} from '../../../fixtures/document-outcomes';

const document = aDocument('incoming/report.pdf', '0A');

describe('indexEventSchema', () => {
  it('accepts IndexMetadata’s input with no thumbnail and no text', () => {
    // Prepare
    const event = { ...aProcessedOutcome(document), thumbnail: null, text: null };

    // Act
    const parsed = indexEventSchema.parse(event);

    // Assess
    expect(parsed).toEqual(event);
  });

  it('accepts RecordRejected’s input, with or without a cause', () => {
    // Prepare
    const withCause = aRejectedOutcome(document);
    const withoutCause = { ...withCause, error: { Error: 'EmptyDocumentError' } };

    // Act
    const parsed = [withCause, withoutCause].map((event) => indexEventSchema.parse(event));

    // Assess
    expect(parsed).toEqual([withCause, withoutCause]);
  });

  it.each([
    ['an unknown outcome', { ...aRejectedOutcome(document), outcome: 'FAILED' }],
    ['a PROCESSED input without its inspection', { ...aProcessedOutcome(document), inspection: undefined }],
    ['a missing thumbnail (null is required)', { ...aProcessedOutcome(document), thumbnail: undefined }],
    [
      'an execution start that is not a time',
      { ...aRejectedOutcome(document), execution: { arn: 'arn', startedAt: 'yesterday' } },
    ],
    ['an empty upload time (a GSI key)', aRejectedOutcome({ ...document, uploadedAt: '' })],
    [
      'an unknown text strategy',
      {
        ...aProcessedOutcome(document),
        inspection: { ...aProcessedOutcome(document).inspection, textStrategy: 'magic' },
      },
    ],
  ])('refuses %s', (_, event) => {
    // Act
    const result = indexEventSchema.safeParse(event);

    // Assess
    expect(result.success).toBe(false);
  });
});

describe('outcomeAnnotations', () => {
  it('names the status each outcome ends in, the rejection reason, and whether this run recorded it', () => {
    // Act
    const annotations = [
      outcomeAnnotations(aProcessedOutcome(document), { written: true, status: 'PROCESSED' }),
      outcomeAnnotations(aRejectedOutcome(document, 'EncryptedDocumentError'), { written: false }),
      outcomeAnnotations(aDeletion('incoming/report.pdf', '0B'), { recorded: true, derivativesDeleted: 2 }),
    ];

    // Assess
    expect(annotations).toEqual([
      { status: 'PROCESSED', recorded: true },
      { status: 'REJECTED', reason: 'ENCRYPTED', recorded: false },
      { status: 'DELETED', recorded: true },
    ]);
  });
});
