import { S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { describe, expect, it } from 'vitest';
import {
  authorizePostUpload,
  type PostUploadContext,
  postPolicySignature,
} from '../../../../local/s3/post-policy';
import { S3ServiceError } from '../../../../local/s3/s3-error';

const CREDENTIALS = { accessKeyId: 'docflow', secretAccessKey: 'docflow-local' };
const BUCKET = 'uploads-bucket';
const KEY = 'incoming/uploads/2026-12-01/7d1e/report.pdf';
const NOW = new Date('2026-12-01T10:00:00Z');

const client = new S3Client({
  region: 'us-east-1',
  credentials: CREDENTIALS,
  endpoint: 'http://127.0.0.1:4566',
  forcePathStyle: true,
});

const context = (overrides: Partial<PostUploadContext> = {}): PostUploadContext => ({
  bucket: BUCKET,
  region: 'us-east-1',
  credentials: [CREDENTIALS],
  now: NOW,
  ...overrides,
});

type Fields = Record<string, string>;

/** A browser-style body: the fields in order, then the file, as FormData serializes them. */
const encodeForm = async (
  fields: Fields | [string, string][],
  file: { content: string; name: string } | null,
) => {
  const data = new FormData();
  for (const [name, value] of Array.isArray(fields) ? fields : Object.entries(fields))
    data.append(name, value);
  if (file) data.append('file', new Blob([file.content]), file.name);
  const request = new Request('http://local/', { method: 'POST', body: data });
  return {
    body: Buffer.from(await request.arrayBuffer()),
    contentType: request.headers.get('content-type') ?? '',
  };
};

/** What the query API hands a browser: an SDK-made POST for one key, type and size, signed at NOW. */
const mintPost = async (options: { key?: string; contentType?: string; size?: number } = {}) => {
  const contentType = options.contentType ?? 'application/pdf';
  const size = options.size ?? 5;
  const realNow = Date.now;
  Date.now = () => NOW.getTime() - 60_000;
  try {
    return await createPresignedPost(client, {
      Bucket: BUCKET,
      Key: options.key ?? KEY,
      Conditions: [['content-length-range', size, size]],
      Fields: { 'Content-Type': contentType },
      Expires: 900,
    });
  } finally {
    Date.now = realNow;
  }
};

/** A form with a hand-written policy, signed correctly with the local key (for policy-document cases). */
const signedForm = (policy: unknown, fields: Fields = {}) => {
  const encoded = Buffer.from(typeof policy === 'string' ? policy : JSON.stringify(policy)).toString(
    'base64',
  );
  const credential = `${CREDENTIALS.accessKeyId}/20261201/us-east-1/s3/aws4_request`;
  return {
    key: KEY,
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': credential,
    'X-Amz-Date': '20261201T095900Z',
    ...fields,
    Policy: encoded,
    'X-Amz-Signature': postPolicySignature(
      CREDENTIALS.secretAccessKey,
      { date: '20261201', region: 'us-east-1', service: 's3' },
      encoded,
    ),
  };
};

const authorize = async (
  fields: Fields | [string, string][],
  file: { content: string; name: string } | null = { content: 'hello', name: 'report.pdf' },
  overrides: Partial<PostUploadContext> = {},
) => {
  const { body, contentType } = await encodeForm(fields, file);
  return authorizePostUpload(body, contentType, context(overrides));
};

/** The S3 error an upload is refused with, as code, status, message and extra elements. */
const refusal = async (attempt: Promise<unknown>) => {
  try {
    await attempt;
  } catch (error) {
    if (!(error instanceof S3ServiceError)) throw error;
    return {
      code: error.code,
      status: error.status,
      message: error.message,
      ...(error.argument ? { argument: error.argument } : {}),
      details: error.details,
    };
  }
  throw new Error('the upload was accepted');
};

const validPolicy = (conditions: unknown[] = []) => ({
  expiration: '2026-12-01T10:15:00.000Z',
  conditions: [
    { bucket: BUCKET },
    ['eq', '$key', KEY],
    { 'x-amz-algorithm': 'AWS4-HMAC-SHA256' },
    { 'x-amz-credential': 'docflow/20261201/us-east-1/s3/aws4_request' },
    { 'x-amz-date': '20261201T095900Z' },
    ...conditions,
  ],
});

describe('postPolicySignature', () => {
  it("reproduces AWS's documented browser-upload example signature", () => {
    // Prepare: https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-post-example.html
    const policy =
      'eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0KICAiY29uZGl0aW9ucyI6IFsNCiAgICB7ImJ1Y2tldCI6ICJzaWd2NGV4YW1wbGVidWNrZXQifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXNlci91c2VyMS8iXSwNCiAgICB7ImFjbCI6ICJwdWJsaWMtcmVhZCJ9LA0KICAgIHsic3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiOiAiaHR0cDovL3NpZ3Y0ZXhhbXBsZWJ1Y2tldC5zMy5hbWF6b25hd3MuY29tL3N1Y2Nlc3NmdWxfdXBsb2FkLmh0bWwifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRDb250ZW50LVR5cGUiLCAiaW1hZ2UvIl0sDQogICAgeyJ4LWFtei1tZXRhLXV1aWQiOiAiMTQzNjUxMjM2NTEyNzQifSwNCiAgICB7IngtYW16LXNlcnZlci1zaWRlLWVuY3J5cHRpb24iOiAiQUVTMjU2In0sDQogICAgWyJzdGFydHMtd2l0aCIsICIkeC1hbXotbWV0YS10YWciLCAiIl0sDQoNCiAgICB7IngtYW16LWNyZWRlbnRpYWwiOiAiQUtJQUlPU0ZPRE5ON0VYQU1QTEUvMjAxNTEyMjkvdXMtZWFzdC0xL3MzL2F3czRfcmVxdWVzdCJ9LA0KICAgIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwNCiAgICB7IngtYW16LWRhdGUiOiAiMjAxNTEyMjlUMDAwMDAwWiIgfQ0KICBdDQp9';

    // Act
    const signature = postPolicySignature(
      'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      { date: '20151229', region: 'us-east-1', service: 's3' },
      policy,
    );

    // Assess
    expect(signature).toBe('8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e');
  });
});

describe('authorizePostUpload', () => {
  it('accepts the form the SDK signs, sent browser-style, and names the key and signer', async () => {
    // Prepare
    const { fields } = await mintPost();

    // Act
    const accepted = await authorize(fields);

    // Assess
    expect(accepted).toEqual({ key: KEY, accessKeyId: 'docflow' });
  });

  it('expands the file name variable before checking, keeping only the last part of a path', async () => {
    // Prepare
    const { fields } = await mintPost({ key: `incoming/uploads/\${filename}`, contentType: 'text/plain' });

    // Act
    const accepted = await authorize(fields, { content: 'hello', name: 'C:\\Users\\me\\notes 1.txt' });

    // Assess
    expect(accepted.key).toBe('incoming/uploads/notes 1.txt');
  });

  it('treats a form without signature fields as anonymous, which a private bucket refuses', async () => {
    // Act
    const refused = await refusal(authorize({ key: KEY, 'Content-Type': 'application/pdf' }));

    // Assess
    expect(refused).toMatchObject({ code: 'AccessDenied', status: 403, message: 'Access Denied' });
  });

  it('refuses a key outside the signed one, naming the condition', async () => {
    // Prepare
    const { fields } = await mintPost();

    // Act
    const refused = await refusal(authorize({ ...fields, key: 'elsewhere/report.pdf' }));

    // Assess
    expect(refused).toMatchObject({
      code: 'AccessDenied',
      status: 403,
      message: `Invalid according to Policy: Policy Condition failed: ["eq", "$key", "${KEY}"]`,
    });
  });

  it('refuses a content type other than the signed one', async () => {
    // Prepare
    const { fields } = await mintPost({ contentType: 'application/pdf' });

    // Act
    const refused = await refusal(authorize({ ...fields, 'Content-Type': 'text/html' }));

    // Assess
    expect(refused.message).toBe(
      'Invalid according to Policy: Policy Condition failed: ["eq", "$Content-Type", "application/pdf"]',
    );
  });

  it('refuses a policy changed after signing, with what S3 computed the signature over', async () => {
    // Prepare
    const { fields } = await mintPost();
    const policy = JSON.parse(Buffer.from(fields.Policy ?? '', 'base64').toString('utf8'));
    policy.conditions = policy.conditions.filter((condition: unknown) => !Array.isArray(condition));
    const tampered = Buffer.from(JSON.stringify(policy)).toString('base64');

    // Act
    const refused = await refusal(
      authorize({ ...fields, Policy: tampered }, { content: 'x'.repeat(999), name: 'a' }),
    );

    // Assess
    expect(refused).toMatchObject({
      code: 'SignatureDoesNotMatch',
      status: 403,
      details: {
        AWSAccessKeyId: 'docflow',
        StringToSign: tampered,
        SignatureProvided: fields['X-Amz-Signature'],
      },
    });
    expect(Buffer.from((refused.details.StringToSignBytes ?? '').replaceAll(' ', ''), 'hex').toString()).toBe(
      tampered,
    );
  });

  it('refuses a signature that is not the policy’s', async () => {
    // Prepare
    const { fields } = await mintPost();
    const signature = fields['X-Amz-Signature'] ?? '';
    const flipped = `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`;

    // Act
    const refused = await refusal(authorize({ ...fields, 'X-Amz-Signature': flipped }));

    // Assess
    expect(refused).toMatchObject({ code: 'SignatureDoesNotMatch', details: { SignatureProvided: flipped } });
  });

  it('refuses a signature made with another secret or an unknown key', async () => {
    // Prepare
    const { fields } = await mintPost();

    // Act
    const otherSecret = await refusal(
      authorize(fields, undefined, { credentials: [{ accessKeyId: 'docflow', secretAccessKey: 'other' }] }),
    );
    const unknownKey = await refusal(
      authorize(fields, undefined, { credentials: [{ accessKeyId: 'someone', secretAccessKey: 'x' }] }),
    );

    // Assess
    expect(otherSecret.code).toBe('SignatureDoesNotMatch');
    expect(unknownKey).toMatchObject({
      code: 'InvalidAccessKeyId',
      status: 403,
      message: 'The AWS Access Key Id you provided does not exist in our records.',
      details: { AWSAccessKeyId: 'docflow' },
    });
  });

  it('refuses a policy at or after its expiration', async () => {
    // Prepare
    const { fields } = await mintPost();
    const policy = JSON.parse(Buffer.from(fields.Policy ?? '', 'base64').toString('utf8'));

    // Act
    const atExpiry = await refusal(authorize(fields, undefined, { now: new Date(policy.expiration) }));
    const before = await authorize(fields, undefined, {
      now: new Date(Date.parse(policy.expiration) - 1000),
    });

    // Assess
    expect(atExpiry).toMatchObject({
      code: 'AccessDenied',
      message: 'Invalid according to Policy: Policy expired.',
    });
    expect(before.key).toBe(KEY);
  });

  it.each([
    [6, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', { MaxSizeAllowed: '5' }],
    [
      4,
      'EntityTooSmall',
      'Your proposed upload is smaller than the minimum allowed size',
      { MinSizeAllowed: '5' },
    ],
  ])('refuses a %i-byte file for a 5-byte policy as %s', async (size, code, message, bound) => {
    // Prepare
    const { fields } = await mintPost({ size: 5 });

    // Act
    const refused = await refusal(authorize(fields, { content: 'x'.repeat(size), name: 'report.pdf' }));

    // Assess
    expect(refused).toEqual({
      code,
      status: 400,
      message,
      details: { ProposedSize: String(size), ...bound },
    });
  });

  it('refuses a field no condition covers, but ignores x-ignore- fields and anything after the file', async () => {
    // Prepare
    const { fields } = await mintPost();

    // Act
    const extra = await refusal(authorize({ ...fields, 'x-amz-meta-note': 'hi', 'X-Amz-Meta-Other': 'x' }));
    const ignored = await authorize({ ...fields, 'x-ignore-tracker': '1' });

    // Assess
    expect(extra.message).toBe(
      'Invalid according to Policy: Extra input fields: x-amz-meta-note, X-Amz-Meta-Other',
    );
    expect(ignored.key).toBe(KEY);
  });

  it('reads field and condition names in any case, values exactly', async () => {
    // Prepare
    const policy = validPolicy([['StArTs-WiTh', '$CONTENT-TYPE', 'image/']]);
    const fields = Object.fromEntries(
      Object.entries(signedForm(policy, { 'content-type': 'image/png,image/gif' })).map(([name, value]) => [
        name.toUpperCase(),
        value,
      ]),
    );

    // Act
    const accepted = await authorize(fields);
    const listWithOther = await refusal(
      authorize(signedForm(policy, { 'Content-Type': 'image/png,text/plain' })),
    );

    // Assess
    expect(accepted.key).toBe(KEY);
    expect(listWithOther.message).toContain('["StArTs-WiTh", "$CONTENT-TYPE", "image/"]');
  });

  it('checks the bucket condition against the bucket posted to, never a form field', async () => {
    // Prepare
    const { fields } = await mintPost();

    // Act
    const refused = await refusal(authorize(fields, undefined, { bucket: 'another-bucket' }));

    // Assess
    expect(refused.message).toBe(
      `Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "${BUCKET}"]`,
    );
  });

  it.each([
    [
      'a missing signature',
      (fields: Fields) => ({ ...fields, 'X-Amz-Signature': undefined }),
      { code: 'InvalidArgument', argument: { name: 'X-Amz-Signature', value: '' } },
    ],
    [
      'a missing key',
      (fields: Fields) => ({ ...fields, key: undefined }),
      {
        code: 'InvalidArgument',
        message:
          "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.",
      },
    ],
    [
      'a credential for another region',
      (fields: Fields) => ({
        ...fields,
        'X-Amz-Credential': (fields['X-Amz-Credential'] ?? '').replace('us-east-1', 'eu-west-1'),
      }),
      {
        code: 'InvalidArgument',
        message: "the region 'eu-west-1' is wrong; expecting 'us-east-1'",
        details: { Region: 'us-east-1' },
      },
    ],
    [
      'another algorithm',
      (fields: Fields) => ({ ...fields, 'X-Amz-Algorithm': 'AWS4-HMAC-SHA1' }),
      { code: 'InvalidArgument', message: 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"' },
    ],
    [
      'a Signature Version 2 form',
      (fields: Fields) => ({
        key: fields.key ?? '',
        AWSAccessKeyId: 'docflow',
        Signature: 'x',
        Policy: 'e30=',
      }),
      { code: 'InvalidRequest' },
    ],
  ])('refuses %s', async (_, change, expected) => {
    // Prepare
    const { fields } = await mintPost();
    const changed = Object.entries(change(fields)).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    );

    // Act
    const refused = await refusal(authorize(changed));

    // Assess
    expect(refused).toMatchObject(expected);
  });

  it.each([
    ['not base64', '%%%', 'Invalid Policy: invalid Base64 encoding.'],
    ['not JSON', Buffer.from('{"expiration":').toString('base64'), 'Invalid Policy: Invalid JSON.'],
    ['an unknown member', { ...validPolicy(), Statement: [] }, "Invalid Policy: Unexpected: 'statement'"],
    ['no expiration', { conditions: [] }, 'Invalid Policy: Policy missing expiration.'],
    ['no conditions', { expiration: '2026-12-01T10:15:00Z' }, 'Invalid Policy: Policy missing conditions.'],
    [
      'an expiration with an offset',
      { ...validPolicy(), expiration: '2026-12-01T11:15:00+01:00' },
      "Invalid Policy: Invalid 'expiration' value: '2026-12-01T11:15:00+01:00'",
    ],
    [
      'conditions that are not a list',
      { ...validPolicy(), conditions: {} },
      "Invalid Policy: Invalid 'conditions' value: must be a List.",
    ],
    [
      'a simple condition with two properties',
      validPolicy([{ acl: 'private', tagging: 'x' }]),
      'Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.',
    ],
    [
      'a simple condition with a number',
      validPolicy([{ 'Content-Length': 5 }]),
      'Invalid Policy: Invalid Simple-Condition: value must be a string.',
    ],
    [
      'an empty condition',
      validPolicy([[]]),
      'Invalid Policy: Invalid Condition: missing operation identifier.',
    ],
    [
      'an unknown operation',
      validPolicy([['in', '$key', 'x']]),
      "Invalid Policy: Invalid Condition: unknown operation 'in'.",
    ],
    [
      'a range without its maximum',
      validPolicy([['content-length-range', 0]]),
      'Invalid Policy: Invalid content-length-range: wrong number of arguments.',
    ],
    [
      'a fractional bound',
      validPolicy([['content-length-range', 0, 512.5]]),
      'Invalid Policy: Invalid JSON.',
    ],
  ])('refuses a policy document with %s as InvalidPolicyDocument', async (_, policy, message) => {
    // Prepare
    const fields =
      typeof policy === 'string' ? { ...signedForm(validPolicy()), Policy: policy } : signedForm(policy);
    if (typeof policy === 'string')
      fields['X-Amz-Signature'] = postPolicySignature(
        CREDENTIALS.secretAccessKey,
        { date: '20261201', region: 'us-east-1', service: 's3' },
        policy,
      );

    // Act
    const refused = await refusal(authorize(fields));

    // Assess
    expect(refused).toMatchObject({ code: 'InvalidPolicyDocument', status: 400, message });
  });

  it('takes whole-number strings as range bounds and refuses other strings as a failed condition', async () => {
    // Act
    const accepted = await authorize(signedForm(validPolicy([['content-length-range', '5', '10']])));
    const refused = await refusal(
      authorize(signedForm(validPolicy([['content-length-range', 'test', '10']]))),
    );

    // Assess
    expect(accepted.key).toBe(KEY);
    expect(refused.message).toBe(
      'Invalid according to Policy: Policy Condition failed: ["content-length-range", "test", "10"]',
    );
  });

  it('refuses a form without a file, without a boundary, or with too much before the file', async () => {
    // Prepare
    const { fields } = await mintPost();
    const withoutBoundary = () => authorizePostUpload(Buffer.from('key=x'), 'multipart/form-data', context());

    // Act
    const noFile = await refusal(authorize(fields, null));
    const malformed = await refusal(Promise.resolve().then(withoutBoundary));
    const tooMuch = await refusal(authorize({ ...fields, 'x-ignore-padding': 'x'.repeat(21_000) }));

    // Assess
    expect(noFile).toMatchObject({
      code: 'InvalidArgument',
      message: 'POST requires exactly one file upload per request.',
      argument: { name: 'file', value: '0' },
    });
    expect(malformed.code).toBe('MalformedPOSTRequest');
    expect(tooMuch).toMatchObject({
      code: 'MaxPostPreDataLengthExceeded',
      details: { MaxPostPreDataLengthBytes: '20480' },
    });
  });

  it('refuses a key given twice: the store behind would keep only one of them', async () => {
    // Prepare
    const { fields } = await mintPost();

    // Act
    const refused = await refusal(authorize([['key', 'incoming/other'], ...Object.entries(fields)]));

    // Assess
    expect(refused).toMatchObject({ code: 'InvalidArgument', argument: { name: 'key' } });
  });
});
