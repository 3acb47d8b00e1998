import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localUploadKeys, PROJECT_ROOT } from '../../../cli/paths';
import {
  findDocument,
  gatherDocument,
  renderShownDocument,
  shownDocumentJson,
  textPreview,
} from '../../../cli/show-document';
import type { TextResponse } from '../../../lambdas/api/schemas';
import {
  aDocument,
  FAKE_BUCKET,
  FakeDocumentsApi,
  FakeExecutions,
  FakeTraces,
} from '../../support/fake-docflow';
import { temporaryFolderPerTest } from '../../support/unit-temporary-folder';

const dataDir = temporaryFolderPerTest('docflow-show-');

const textPage = (number: number, text: string, nextPage: number | null): TextResponse => ({
  documentId: 'x',
  version: 'v',
  source: 'textract',
  page: number,
  pageSize: 1,
  totalPages: 3,
  documentPages: 3,
  nextPage,
  pages: [{ number, text }],
});

describe('findDocument', () => {
  it('finds by id, by key, and by a key under incoming/', async () => {
    // Prepare
    const api = new FakeDocumentsApi();
    const memo = aDocument('incoming/memo.docx');
    api.documents.set(memo.id, memo);

    // Act & Assess
    expect((await findDocument(api, FAKE_BUCKET, memo.id))?.key).toBe('incoming/memo.docx');
    expect((await findDocument(api, FAKE_BUCKET, 'incoming/memo.docx'))?.id).toBe(memo.id);
    expect((await findDocument(api, FAKE_BUCKET, 'memo.docx'))?.id).toBe(memo.id);
    expect(await findDocument(api, FAKE_BUCKET, 'incoming/other.docx')).toBeUndefined();
  });

  it('finds a file by the local path it was uploaded from, only when that path is a file here', async () => {
    // Prepare
    const api = new FakeDocumentsApi();
    const memo = aDocument('incoming/memo.docx');
    api.documents.set(memo.id, memo);
    const localKeys = (path: string) => (path === 'samples/memo.docx' ? ['incoming/memo.docx'] : []);

    // Act & Assess
    expect((await findDocument(api, FAKE_BUCKET, 'samples/memo.docx', localKeys))?.id).toBe(memo.id);
    expect(await findDocument(api, FAKE_BUCKET, 'elsewhere/memo.docx', localKeys)).toBeUndefined();
    expect(await findDocument(api, FAKE_BUCKET, 'samples/memo.docx')).toBeUndefined();
  });

  it("finds a sample file by its path after the demo uploaded it, and prefers the user's own upload", async () => {
    // Prepare
    const api = new FakeDocumentsApi();
    const demoNotes = aDocument('incoming/demo/notes.txt');
    api.documents.set(demoNotes.id, demoNotes);
    const localKeys = localUploadKeys(PROJECT_ROOT);

    // Act
    const afterDemo = await findDocument(api, FAKE_BUCKET, 'sample-docs/notes.txt', localKeys);
    const ownNotes = aDocument('incoming/notes.txt');
    api.documents.set(ownNotes.id, ownNotes);
    const afterUpload = await findDocument(api, FAKE_BUCKET, 'sample-docs/notes.txt', localKeys);

    // Assess
    expect(afterDemo?.id).toBe(demoNotes.id);
    expect(afterUpload?.id).toBe(ownNotes.id);
  });
});

describe('localUploadKeys', () => {
  it.each([
    { path: 'sample-docs/notes.txt', keys: ['incoming/notes.txt', 'incoming/demo/notes.txt'] },
    {
      path: './sample-docs/../sample-docs/memo.docx',
      keys: ['incoming/memo.docx', 'incoming/demo/memo.docx'],
    },
    { path: 'package.json', keys: ['incoming/package.json'] },
    { path: 'sample-docs/no-such-file.txt', keys: [] },
    { path: 'sample-docs', keys: [] },
  ])('gives $path the keys $keys', ({ path, keys }) => {
    // Act & Assess
    expect(localUploadKeys(PROJECT_ROOT)(path)).toEqual(keys);
  });
});

describe('textPreview', () => {
  it('reads pages until it has enough text, skipping blank ones, and cuts with an ellipsis', async () => {
    // Prepare
    const api = new FakeDocumentsApi();
    api.texts.set('x', [
      textPage(1, '   ', 2),
      textPage(2, 'a'.repeat(300), 3),
      textPage(3, 'b'.repeat(300), null),
    ]);

    // Act
    const preview = await textPreview(api, 'x', 500);

    // Assess
    expect(preview).toBe(`${'a'.repeat(300)}\n\n${'b'.repeat(198)}…`);
    expect(await textPreview(api, 'missing')).toBeUndefined();
  });
});

describe('gatherDocument and its rendering', () => {
  it('saves the thumbnail under the data folder and shows metadata, preview and steps', async () => {
    // Prepare
    const api = new FakeDocumentsApi();
    const executions = new FakeExecutions();
    const arn = 'arn:aws:states:us-east-1:000000000000:execution:Pipeline:report';
    const document = aDocument('incoming/report\u202e.pdf', {
      type: 'pdf',
      mimeType: 'application/pdf',
      pages: 3,
      size: 48_213,
      textStrategy: 'local',
      durationMs: 2500,
      thumbnail: { width: 256, height: 331, contentType: 'image/webp', url: 'https://x/thumb' },
      text: { pages: 3, characters: 12, words: 2, source: 'pdf-text-layer', url: 'https://x/text' },
      execution: { arn, consoleUrl: 'https://console/x' },
    });
    api.texts.set(document.id, [textPage(1, 'Hello\nworld\u001b[2J', null)]);
    executions.histories.set(arn, [
      { id: 1, type: 'ExecutionStarted', timestamp: new Date(0) },
      {
        id: 2,
        previousEventId: 1,
        type: 'TaskStateEntered',
        timestamp: new Date(5),
        stateEnteredEventDetails: { name: 'Inspect' },
      },
      {
        id: 3,
        previousEventId: 2,
        type: 'TaskStateExited',
        timestamp: new Date(45),
        stateExitedEventDetails: { name: 'Inspect' },
      },
      { id: 4, previousEventId: 3, type: 'ExecutionSucceeded', timestamp: new Date(50) },
    ]);
    const downloads = { download: async () => new Uint8Array([82, 73, 70, 70]) };

    // Act
    const shown = await gatherDocument(
      { documents: api, downloads, executions, traces: new FakeTraces() },
      document,
      dataDir(),
    );
    const lines = renderShownDocument(shown, {
      displayPath: (path) => path.replace(dataDir(), '<data>'),
      consoleLinks: false,
    });

    // Assess
    expect(shown.thumbnailPath).toBe(join(dataDir(), 'thumbnails', `${document.id}.webp`));
    expect([...(await readFile(shown.thumbnailPath ?? ''))]).toEqual([82, 73, 70, 70]);
    expect(lines).toContain('key        incoming/report\\u{202e}.pdf');
    expect(lines).toContain('took       2.5 s');
    expect(lines).toContain(`thumbnail  <data>/thumbnails/${document.id}.webp (256×331)`);
    expect(lines).toContain(`execution  ${arn}`);
    expect(lines.some((line) => line.startsWith('console'))).toBe(false);
    expect(lines).toEqual(
      expect.arrayContaining([
        'Text:',
        '  Hello',
        '  world\\u{1b}[2J',
        'Steps (execution SUCCEEDED, 50 ms):',
      ]),
    );
    expect(lines.at(-1)).toMatch(/^ {2}Inspect\s+succeeded\s+\+5 ms\s+40 ms$/);
    expect(shownDocumentJson(shown)).toMatchObject({
      thumbnailPath: shown.thumbnailPath,
      textPreview: 'Hello\nworld\u001b[2J',
      execution: {
        arn,
        status: 'SUCCEEDED',
        steps: [{ name: 'Inspect', status: 'succeeded', durationMs: 40 }],
      },
      problems: [],
    });
  });

  it('still shows the rest when the thumbnail cannot be downloaded', async () => {
    // Prepare
    const document = aDocument('incoming/a.png', {
      thumbnail: { width: 1, height: 1, contentType: 'image/webp', url: 'https://x/expired' },
    });
    const downloads = {
      download: async () => {
        throw new Error('download failed with HTTP 403');
      },
    };

    // Act
    const shown = await gatherDocument(
      {
        documents: new FakeDocumentsApi(),
        downloads,
        executions: new FakeExecutions(),
        traces: new FakeTraces(),
      },
      document,
      dataDir(),
    );
    const lines = renderShownDocument(shown, { displayPath: (path) => path, consoleLinks: true });

    // Assess
    expect(shown.problems).toEqual(['thumbnail: download failed with HTTP 403']);
    expect(lines.at(-1)).toBe('note: could not read the thumbnail: download failed with HTTP 403');
    expect(lines[0]).toMatch(/^key +incoming\/a\.png$/);
  });
});
