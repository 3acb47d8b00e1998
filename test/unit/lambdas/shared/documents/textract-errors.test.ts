import {
  AccessDeniedException,
  BadDocumentException,
  DocumentTooLargeException,
  InternalServerError,
  InvalidS3ObjectException,
  LimitExceededException,
  ProvisionedThroughputExceededException,
  ThrottlingException,
  UnsupportedDocumentException,
} from '@aws-sdk/client-textract';
import { describe, expect, it } from 'vitest';
import { failedJobError, mapTextractError } from '../../../../../lambdas/shared/documents/textract-errors';

const metadata = { $metadata: { httpStatusCode: 400 } };

describe('mapTextractError', () => {
  it.each([
    { from: new ProvisionedThroughputExceededException({ message: 'slow down', ...metadata }) },
    { from: new ThrottlingException({ message: 'rate exceeded', ...metadata }) },
    { from: new LimitExceededException({ message: 'too many jobs', ...metadata }) },
  ])('makes $from.name a TextractThrottledError, which the ASL retries', ({ from }) => {
    // Act
    const mapped = mapTextractError(from);

    // Assess
    expect(mapped).toMatchObject({
      name: 'TextractThrottledError',
      message: `${from.name}: ${from.message}`,
      cause: from,
    });
  });

  it.each([
    {
      from: new BadDocumentException({ message: 'unreadable', ...metadata }),
      name: 'CorruptDocumentError',
      reason: 'CORRUPT',
    },
    {
      from: new UnsupportedDocumentException({ message: 'format', ...metadata }),
      name: 'UnsupportedDocumentError',
      reason: 'UNSUPPORTED_TYPE',
    },
    {
      from: new DocumentTooLargeException({ message: 'too big', ...metadata }),
      name: 'DocumentTooLargeError',
      reason: 'TOO_LARGE',
    },
    {
      from: new InvalidS3ObjectException({ message: 'no such object', ...metadata }),
      name: 'DocumentNotFoundError',
      reason: 'NOT_FOUND',
    },
  ])('makes $from.name the rejection $name', ({ from, name, reason }) => {
    // Act
    const mapped = mapTextractError(from);

    // Assess
    expect(mapped).toMatchObject({
      name,
      reason,
      message: expect.stringMatching(new RegExp(`^${reason}: .*${from.message}`)),
    });
  });

  it('returns other errors unchanged, for the generic retry', () => {
    // Prepare
    const errors = [
      new InternalServerError({ message: 'oops', $metadata: { httpStatusCode: 500 } }),
      new AccessDeniedException({ message: 'denied', ...metadata }),
      new Error('socket hang up'),
      'not even an error',
    ];

    // Act
    const mapped = errors.map(mapTextractError);

    // Assess
    expect(mapped).toEqual(errors);
  });
});

describe('failedJobError', () => {
  it.each([
    {
      message: 'BadDocumentException: Unable to read the document: page 1 is not an image',
      name: 'CorruptDocumentError',
    },
    { message: 'Request has unsupported document format', name: 'UnsupportedDocumentError' },
    { message: 'DocumentTooLargeException: The document has 4000 pages', name: 'DocumentTooLargeError' },
    { message: 'The document is password protected', name: 'EncryptedDocumentError' },
    {
      message: 'Unable to get object metadata from S3. Check object key, region and/or access permissions.',
      name: 'DocumentNotFoundError',
    },
    { message: 'InternalServerError: Internal server error', name: 'TextractJobFailedError' },
    { message: undefined, name: 'TextractJobFailedError' },
  ])('reads "$message" as $name', ({ message, name }) => {
    // Act
    const error = failedJobError('FAILED', message);

    // Assess
    expect(error.name).toBe(name);
    expect(error.message).toContain(message ?? 'no status message');
  });

  it('never blames the document for a job that ended in ERROR', () => {
    // Act
    const error = failedJobError('ERROR', 'BadDocumentException: looks bad');

    // Assess
    expect(error).toMatchObject({
      name: 'TextractJobFailedError',
      message: expect.stringContaining('ended ERROR'),
    });
  });
});
