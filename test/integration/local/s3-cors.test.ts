import {
  DeleteBucketCorsCommand,
  GetBucketCorsCommand,
  PutBucketCorsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBucket, testS3, uniquePrefix } from '../../support/aws';
import { type LocalGateway, startLocalGateway } from '../../support/local-gateway';

const CONSOLE = 'http://127.0.0.1:5173';

let local: LocalGateway;
let s3: S3Client;

beforeAll(async () => {
  local = await startLocalGateway();
  s3 = testS3(local.endpoint);
});

afterAll(async () => {
  await local?.stop();
});

/** A bucket whose CORS rule lets pages on any loopback port POST, as the local cloud's uploads bucket does. */
const corsBucket = async (): Promise<string> => {
  const bucket = uniquePrefix('cors').toLowerCase();
  await createBucket(local.endpoint, bucket);
  await s3.send(
    new PutBucketCorsCommand({
      Bucket: bucket,
      CORSConfiguration: {
        CORSRules: [
          {
            ID: 'console',
            AllowedMethods: ['POST'],
            AllowedOrigins: ['http://127.0.0.1:*'],
            ExposeHeaders: ['ETag'],
            MaxAgeSeconds: 600,
          },
        ],
      },
    }),
  );
  return bucket;
};

const preflight = (url: string, origin: string, method = 'POST') =>
  fetch(url, {
    method: 'OPTIONS',
    headers: { Origin: origin, 'Access-Control-Request-Method': method },
  });

const codeOf = (xml: string) => /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
const messageOf = (xml: string) => /<Message>([^<]*)<\/Message>/.exec(xml)?.[1];

describe('bucket CORS on the local S3', () => {
  it('keeps a CORS configuration and gives it back', async () => {
    // Prepare
    const bucket = await corsBucket();

    // Act
    const configuration = await s3.send(new GetBucketCorsCommand({ Bucket: bucket }));

    // Assess
    expect(configuration.CORSRules).toEqual([
      {
        ID: 'console',
        AllowedMethods: ['POST'],
        AllowedOrigins: ['http://127.0.0.1:*'],
        ExposeHeaders: ['ETag'],
        MaxAgeSeconds: 600,
      },
    ]);
  });

  it('answers a preflight from an allowed origin, and refuses one from any other', async () => {
    // Prepare
    const bucket = await corsBucket();

    // Act
    const allowed = await preflight(`${local.endpoint}/${bucket}`, CONSOLE);
    const otherOrigin = await preflight(`${local.endpoint}/${bucket}`, 'http://evil.example');
    const otherMethod = await preflight(`${local.endpoint}/${bucket}`, CONSOLE, 'DELETE');
    const otherText = await otherOrigin.text();

    // Assess
    expect(allowed.status).toBe(200);
    expect(
      Object.fromEntries([...allowed.headers].filter(([name]) => name.startsWith('access-control-'))),
    ).toEqual({
      'access-control-allow-origin': CONSOLE,
      'access-control-allow-methods': 'POST',
      'access-control-expose-headers': 'ETag',
      'access-control-max-age': '600',
      'access-control-allow-credentials': 'true',
    });
    expect(otherOrigin.status).toBe(403);
    expect(codeOf(otherText)).toBe('AccessForbidden');
    expect(messageOf(otherText)).toMatch(/^CORSResponse: This CORS request is not allowed/);
    expect(otherOrigin.headers.get('access-control-allow-origin')).toBeNull();
    expect(otherMethod.status).toBe(403);
  });

  it('lets the page read both an accepted and a refused upload’s answer', async () => {
    // Prepare
    const bucket = await corsBucket();
    const { url, fields } = await createPresignedPost(s3, {
      Bucket: bucket,
      Key: 'incoming/cors.txt',
      Conditions: [['content-length-range', 4, 4]],
    });
    const post = (content: string) => {
      const form = new FormData();
      for (const [name, value] of Object.entries(fields)) form.append(name, value);
      form.append('file', new Blob([content]), 'cors.txt');
      return fetch(url, { method: 'POST', body: form, headers: { Origin: CONSOLE } });
    };

    // Act
    const accepted = await post('four');
    const refused = await post('too long');

    // Assess
    expect(accepted.status).toBe(204);
    expect(accepted.headers.get('access-control-allow-origin')).toBe(CONSOLE);
    expect(accepted.headers.get('access-control-expose-headers')).toBe('ETag');
    expect(accepted.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    expect(refused.status).toBe(400);
    expect(codeOf(await refused.text())).toBe('EntityTooLarge');
    expect(refused.headers.get('access-control-allow-origin')).toBe(CONSOLE);
  });

  it('adds nothing for a method the rules do not allow', async () => {
    // Prepare
    const bucket = await corsBucket();
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'incoming/read.txt', Body: 'read' }));

    // Act
    const read = await fetch(`${local.endpoint}/${bucket}/incoming/read.txt`, {
      headers: { Origin: CONSOLE },
    });

    // Assess
    expect(read.status).toBe(200);
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
    expect(read.headers.get('vary')).toBe(
      'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
    );
  });

  it('forgets a deleted configuration, after which preflights are refused', async () => {
    // Prepare
    const bucket = await corsBucket();

    // Act
    await s3.send(new DeleteBucketCorsCommand({ Bucket: bucket }));
    const read = await s3.send(new GetBucketCorsCommand({ Bucket: bucket })).catch((error: unknown) => error);
    const refused = await preflight(`${local.endpoint}/${bucket}`, CONSOLE);

    // Assess
    expect(read).toMatchObject({ name: 'NoSuchCORSConfiguration' });
    expect(refused.status).toBe(403);
    expect(messageOf(await refused.text())).toBe('CORSResponse: CORS is not enabled for this bucket.');
  });

  it('refuses a preflight without an Origin, and one to a bucket that does not exist', async () => {
    // Act
    const withoutOrigin = await fetch(`${local.endpoint}/${await corsBucket()}`, {
      method: 'OPTIONS',
      headers: { 'Access-Control-Request-Method': 'POST' },
    });
    const noBucket = await preflight(`${local.endpoint}/no-such-bucket-${Date.now()}`, CONSOLE);

    // Assess
    expect(withoutOrigin.status).toBe(400);
    expect(messageOf(await withoutOrigin.text())).toBe(
      'Insufficient information. Origin request header needed.',
    );
    expect(noBucket.status).toBe(403);
    expect(messageOf(await noBucket.text())).toBe('CORSResponse: Bucket not found');
  });
});
