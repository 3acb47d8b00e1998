import { describe, expect, it } from 'vitest';
import {
  CorruptDocumentError,
  DocumentTooLargeError,
  EmptyDocumentError,
  parseRejectionMessage,
  REJECTION_ERROR_NAMES,
  reasonForErrorName,
  TextractThrottledError,
} from '../../../../../lambdas/shared/documents/errors';

describe('typed errors', () => {
  it('names each error after its class, as the ASL matches on it', () => {
    // Act
    const errors = [
      new EmptyDocumentError(),
      new CorruptDocumentError('x'),
      new TextractThrottledError('slow down'),
    ];

    // Assess
    expect(errors.map((error) => error.name)).toEqual([
      'EmptyDocumentError',
      'CorruptDocumentError',
      'TextractThrottledError',
    ]);
  });

  it('puts the reason code in front of a rejection message so it survives a Catch', () => {
    // Prepare
    const error = new DocumentTooLargeError('4,000 pages exceed the limit of 500');

    // Act
    const parsed = parseRejectionMessage(error.message);

    // Assess
    expect(error.reason).toBe('TOO_LARGE');
    expect(parsed).toEqual({ reason: 'TOO_LARGE', detail: '4,000 pages exceed the limit of 500' });
  });

  it('maps every rejection name to a reason and nothing else', () => {
    // Assess
    expect(REJECTION_ERROR_NAMES.map(reasonForErrorName)).toEqual([
      'EMPTY',
      'UNSUPPORTED_TYPE',
      'CORRUPT',
      'ENCRYPTED',
      'TOO_LARGE',
      'NOT_FOUND',
    ]);
    expect(reasonForErrorName('TextractThrottledError')).toBeUndefined();
    expect(reasonForErrorName('toString')).toBeUndefined();
    expect(parseRejectionMessage('NOPE: free text')).toEqual({ detail: 'NOPE: free text' });
  });
});
