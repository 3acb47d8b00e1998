import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NodeSha256, signedGet, signedRequest } from '../../../../cli/adapters/sigv4-fetch';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('NodeSha256', () => {
  it('computes SHA-256 and HMAC-SHA256 (FIPS 180 and RFC 4231 vectors)', async () => {
    // Prepare
    const hash = new NodeSha256();
    hash.update(new TextEncoder().encode('ab'));
    hash.update(new TextEncoder().encode('c'));
    const hmac = new NodeSha256(new Uint8Array(20).fill(0x0b));
    hmac.update(new TextEncoder().encode('Hi There'));

    // Act
    const digest = hex(await hash.digest());
    const mac = hex(await hmac.digest());
    hash.reset();

    // Assess
    expect(digest).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(mac).toBe('b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7');
    expect(hex(await hash.digest())).toBe(EMPTY_SHA256);
  });
});

describe('signedGet', () => {
  it('signs for execute-api in the given region, verifiably by the SigV4 recipe', async () => {
    // Prepare
    const requests: { url: string; headers: Record<string, string> }[] = [];
    const fakeFetch = (async (url: URL, init?: RequestInit) => {
      requests.push({ url: String(url), headers: (init?.headers ?? {}) as Record<string, string> });
      return new Response('{}');
    }) as typeof fetch;
    const secret = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
    const get = signedGet({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: secret, sessionToken: 'token' },
      fetch: fakeFetch,
    });

    // Act
    await get(
      new URL('https://abc123.execute-api.eu-west-1.amazonaws.com/prod/documents?status=FAILED&limit=5'),
    );

    // Assess
    const [request] = requests;
    expect(request?.url).toBe(
      'https://abc123.execute-api.eu-west-1.amazonaws.com/prod/documents?status=FAILED&limit=5',
    );
    const headers = request?.headers ?? {};
    const authorization = headers.authorization ?? '';
    const signedHeaders = 'host;x-amz-content-sha256;x-amz-date;x-amz-security-token';
    expect(authorization).toMatch(
      new RegExp(
        `^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/\\d{8}/eu-west-1/execute-api/aws4_request, SignedHeaders=${signedHeaders}, Signature=[0-9a-f]{64}$`,
      ),
    );
    expect(headers['x-amz-security-token']).toBe('token');
    expect(headers.host).toBeUndefined();
    const amzDate = headers['x-amz-date'] ?? '';
    const day = amzDate.slice(0, 8);
    const canonical = [
      'GET',
      '/prod/documents',
      'limit=5&status=FAILED',
      'host:abc123.execute-api.eu-west-1.amazonaws.com',
      `x-amz-content-sha256:${EMPTY_SHA256}`,
      `x-amz-date:${amzDate}`,
      'x-amz-security-token:token',
      '',
      signedHeaders,
      EMPTY_SHA256,
    ].join('\n');
    const scope = `${day}/eu-west-1/execute-api/aws4_request`;
    const toSign = [
      'AWS4-HMAC-SHA256',
      amzDate,
      scope,
      createHash('sha256').update(canonical).digest('hex'),
    ].join('\n');
    const signingKey = ['eu-west-1', 'execute-api', 'aws4_request'].reduce(
      (previous, part) => createHmac('sha256', previous).update(part).digest(),
      createHmac('sha256', `AWS4${secret}`).update(day).digest(),
    );
    expect(authorization.split('Signature=')[1]).toBe(
      createHmac('sha256', signingKey).update(toSign).digest('hex'),
    );
  });
});

describe('signedRequest', () => {
  it('sends and signs the method it is given', async () => {
    // Prepare
    const requests: { method?: string; headers: Record<string, string> }[] = [];
    const fakeFetch = (async (_url: URL, init?: RequestInit) => {
      requests.push({ method: init?.method, headers: (init?.headers ?? {}) as Record<string, string> });
      return new Response('{}', { status: 202 });
    }) as typeof fetch;
    const options = {
      region: 'eu-west-1',
      credentials: {
        accessKeyId: 'AKIDEXAMPLE',
        secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      },
      fetch: fakeFetch,
    };
    const url = new URL('https://abc123.execute-api.eu-west-1.amazonaws.com/prod/documents/AbC/reprocess');

    // Act
    await signedRequest(options)(url, { method: 'POST' });
    await signedRequest(options)(url);

    // Assess: the method is part of the canonical request, so the two signatures differ.
    expect(requests.map((request) => request.method)).toEqual(['POST', 'GET']);
    const [post, get] = requests.map((request) => request.headers.authorization?.split('Signature=')[1]);
    expect(post).toMatch(/^[0-9a-f]{64}$/);
    expect(post).not.toBe(get);
  });
});

describe('signedRequest with a body', () => {
  it('sends the JSON body and signs its exact bytes', async () => {
    // Prepare
    const requests: { body?: unknown; headers: Record<string, string> }[] = [];
    const fakeFetch = (async (_url: URL, init?: RequestInit) => {
      requests.push({ body: init?.body, headers: (init?.headers ?? {}) as Record<string, string> });
      return new Response('{}');
    }) as typeof fetch;
    const body = JSON.stringify({ note: 'résumé' });
    const send = signedRequest({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      fetch: fakeFetch,
    });

    // Act
    await send(new URL('https://abc123.execute-api.eu-west-1.amazonaws.com/prod/documents'), {
      method: 'POST',
      body,
    });

    // Assess
    const [request] = requests;
    expect(request?.body).toBe(body);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['x-amz-content-sha256']).toBe(createHash('sha256').update(body).digest('hex'));
    expect(request?.headers.authorization).toContain('SignedHeaders=content-type;host;');
  });
});
