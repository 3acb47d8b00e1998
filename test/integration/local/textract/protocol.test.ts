import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLocalTextract,
  type LocalTextract,
  TEXTRACT_TARGET_PREFIX,
} from '../../../../local/textract/server';
import { TEST_AWS } from '../../../support/aws';

describe('local Textract: AWS JSON 1.1 protocol, mounted on a shared server', () => {
  let textract: LocalTextract;
  let server: Server;
  let endpoint: string;

  beforeAll(async () => {
    // These calls never reach S3 or SNS: clients for an endpoint nobody listens on are enough.
    const unused = { ...TEST_AWS, endpoint: 'http://127.0.0.1:9' };
    textract = createLocalTextract({
      s3: new S3Client({ ...unused, forcePathStyle: true }),
      sns: new SNSClient(unused),
    });
    // A shared endpoint routes by X-Amz-Target, as the local cloud's single port does.
    server = createServer((request, response) => {
      const target = request.headers['x-amz-target'];
      if (typeof target === 'string' && target.startsWith(TEXTRACT_TARGET_PREFIX))
        textract.handler(request, response);
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await textract?.stop();
  });

  const post = (target: string, body: string) =>
    fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
      body,
    });

  it('answers an error with HTTP 400, its name in __type and the message in message and Message', async () => {
    // Act
    const response = await post(
      'Textract.GetDocumentTextDetection',
      JSON.stringify({ JobId: 'a'.repeat(64) }),
    );

    // Assess
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await response.json()).toEqual({
      __type: 'InvalidJobIdException',
      message: 'Request has invalid Job Id',
      Message: 'Request has invalid Job Id',
    });
  });

  it('answers an operation it does not implement with UnknownOperationException', async () => {
    // Act
    const response = await post('Textract.AnalyzeDocument', '{}');

    // Assess
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });

  it('answers a body that is not JSON with SerializationException', async () => {
    // Act
    const response = await post('Textract.DetectDocumentText', '{"Document":');

    // Assess
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'SerializationException' });
  });

  it('answers a request without input with InvalidParameterException', async () => {
    // Act
    const response = await post('Textract.StartDocumentTextDetection', '');

    // Assess
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      __type: 'InvalidParameterException',
      message: expect.stringContaining('DocumentLocation'),
    });
  });
});
