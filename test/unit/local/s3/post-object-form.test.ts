import { describe, expect, it } from 'vitest';
import { postObjectKey } from '../../../../local/s3/post-object-form';

const form = async (fields: [string, string | [Blob, string]][]) => {
  const data = new FormData();
  for (const [name, value] of fields) {
    if (typeof value === 'string') data.append(name, value);
    else data.append(name, value[0], value[1]);
  }
  const request = new Request('http://x/', { method: 'POST', body: data });
  return {
    body: Buffer.from(await request.arrayBuffer()),
    contentType: request.headers.get('content-type') ?? '',
  };
};

describe('postObjectKey', () => {
  it('reads the key field and substitutes the file name', async () => {
    // Prepare
    const { body, contentType } = await form([
      ['key', `incoming/\${filename}`],
      ['Content-Type', 'text/plain'],
      ['file', [new Blob(['data\r\n--not a boundary']), 'straße notes.txt']],
    ]);

    // Act
    const key = postObjectKey(body, contentType);

    // Assess
    expect(key).toBe('incoming/straße notes.txt');
  });

  it('ignores fields after the file, and has no key without the field', async () => {
    // Prepare
    const late = await form([
      ['file', [new Blob(['x']), 'a.txt']],
      ['key', 'too-late'],
    ]);
    const withoutBoundary = postObjectKey(Buffer.from('key=x'), 'multipart/form-data');

    // Act
    const key = postObjectKey(late.body, late.contentType);

    // Assess
    expect(key).toBeUndefined();
    expect(withoutBoundary).toBeUndefined();
  });
});
