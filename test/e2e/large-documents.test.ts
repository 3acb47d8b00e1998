import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { beforeAll, describe, expect, it } from 'vitest';
import { type DocumentDetail, type TextResponse, textResponseSchema } from '../../lambdas/api/schemas';
import { documentId } from '../../lambdas/shared/documents/document';
import { type LargePdf, type LargeText, makeLargePdf, makeLargeText } from '../support/large-documents';
import { apiGet, upload, useFreshCloudSession, waitForTerminal } from '../support/local-cloud-session';

/**
 * Documents at the sizes the limits are about, through the whole local cloud: a 20 MiB plain-text
 * file uploaded in parts as boto3 uploads it, and a 44 MiB born-digital PDF of 400 pages uploaded in
 * one PutObject. Both must end PROCESSED with every character of their text readable through the API.
 */

const MiB = 1024 * 1024;
/** MAX_DOCUMENT_BYTES' default: both documents must be under it, or they are (rightly) rejected. */
const MAX_DOCUMENT_BYTES = 50 * MiB;
const PROCESSING_BUDGET_MS = 120_000;
/** Plain text has no pages of its own: the pipeline cuts it into text pages of 32,768 characters. */
const TEXT_PAGE_CHARACTERS = 32_768;

const TEXT_KEY = 'incoming/boto/big+file.txt';
const PDF_KEY = 'incoming/reports/annual report 2026.pdf';

const session = useFreshCloudSession('large');
let text: LargeText;
let pdf: LargePdf;
let deadline: number;
const finished = new Map<string, Promise<DocumentDetail>>();

const terminal = (key: string): Promise<DocumentDetail> => {
  let pending = finished.get(key);
  if (!pending) {
    pending = waitForTerminal(session, documentId(session.uploadsBucket, key), { deadline });
    finished.set(key, pending);
  }
  return pending;
};

/** Every page of a document's text, read through the API 50 at a time as a client pages through it. */
const readAllText = async (id: string): Promise<{ first: TextResponse; pages: TextResponse['pages'] }> => {
  const pages: TextResponse['pages'] = [];
  let first: TextResponse | undefined;
  let page: number | null = 1;
  while (page !== null) {
    const { status, body } = await apiGet(session, `documents/${id}/text?pageSize=50&page=${page}`);
    if (status !== 200) throw new Error(`GET text page ${page} answered ${status}: ${JSON.stringify(body)}`);
    const response = textResponseSchema.parse(body);
    first ??= response;
    pages.push(...response.pages);
    page = response.nextPage;
  }
  if (!first) throw new Error('no text page was read');
  return { first, pages };
};

beforeAll(async () => {
  // 327,680 lines of 64 bytes: 20 MiB, exactly 640 text pages of 512 lines.
  text = makeLargeText(327_680);
  pdf = makeLargePdf(400, 112_000);
  // boto3 and the AWS CLI upload files over 8 MiB in 8 MiB parts.
  await new Upload({
    client: session.s3,
    params: { Bucket: session.uploadsBucket, Key: TEXT_KEY, Body: text.bytes },
    partSize: 8 * MiB,
  }).done();
  await upload(session, PDF_KEY, pdf.bytes);
  deadline = Date.now() + PROCESSING_BUDGET_MS;
});

describe('large documents through the local cloud', () => {
  it('uses documents of the sizes the issue is about, under the upload limit', () => {
    // Assess
    expect(text.bytes.length).toBe(20 * MiB);
    expect(pdf.bytes.length).toBeGreaterThanOrEqual(40 * MiB);
    expect(pdf.bytes.length).toBeLessThan(MAX_DOCUMENT_BYTES);
  });

  it('processes the 20 MiB text file uploaded in parts', async () => {
    // Act
    const document = await terminal(TEXT_KEY);

    // Assess
    expect(document).toMatchObject({ status: 'PROCESSED', type: 'text', textStrategy: 'local' });
    expect(document.failure).toBeUndefined();
    expect(document.text).toMatchObject({
      source: 'plain-text',
      pages: text.bytes.length / TEXT_PAGE_CHARACTERS,
      characters: text.bytes.length,
    });
  });

  it('serves every character of the text file, page by page, through the API', async () => {
    // Prepare
    const document = await terminal(TEXT_KEY);

    // Act
    const { first, pages } = await readAllText(document.id);

    // Assess
    expect(first.documentPages).toBe(640);
    expect(pages.map((page) => page.number)).toEqual(Array.from({ length: 640 }, (_, index) => index + 1));
    expect(pages[0]?.text.startsWith(`${text.firstPhrase}:`)).toBe(true);
    expect(pages.at(-1)?.text).toMatch(new RegExp(`\\n${text.lastPhrase}:\\.+\\n$`));
    expect(pages.map((page) => page.text).join('') === text.bytes.toString('ascii')).toBe(true);
  });

  it('writes the text of the big file to the derivatives bucket in parts', async () => {
    // Prepare
    const document = await terminal(TEXT_KEY);
    if (!document.text) throw new Error('no text');
    // Locally the presigned URL is path-style: /<bucket>/<key>.
    const [bucket, ...key] = new URL(document.text.url).pathname.slice(1).split('/').map(decodeURIComponent);

    // Act
    const head = await session.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key.join('/') }));

    // Assess
    expect(head.ContentLength).toBeGreaterThan(text.bytes.length);
    expect(head.ETag).toMatch(/^"[0-9a-f]{32}-\d+"$/);
  });

  it('processes the 44 MiB born-digital PDF uploaded in one PutObject', async () => {
    // Act
    const document = await terminal(PDF_KEY);

    // Assess
    expect(document).toMatchObject({ status: 'PROCESSED', type: 'pdf', textStrategy: 'local', pages: 400 });
    expect(document.failure).toBeUndefined();
    expect(document.text).toMatchObject({ source: 'pdf-text-layer', pages: 400 });
    expect(document.thumbnail).not.toBeNull();
  });

  it('serves the text of every page of the PDF through the API', async () => {
    // Prepare
    const document = await terminal(PDF_KEY);

    // Act
    const { first, pages } = await readAllText(document.id);

    // Assess
    expect(first.documentPages).toBe(pdf.pages);
    expect(pages[0]?.text.startsWith('Chapter 1 opens the report page 1\n')).toBe(true);
    expect(pages.at(-1)?.text.endsWith('\nChapter 400 closes the report page 400')).toBe(true);
    const wrong = pages.filter((page) => page.text !== pdf.linesOf(page.number).join('\n'));
    expect(wrong.map((page) => page.number)).toEqual([]);
    expect(pages).toHaveLength(pdf.pages);
  });
});
