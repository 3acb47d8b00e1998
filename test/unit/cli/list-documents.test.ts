import { describe, expect, it } from 'vitest';
import { listDocuments, renderDocumentList } from '../../../cli/list-documents';
import { aDocument, FakeDocumentsApi } from '../../support/fake-docflow';

const seeded = (count: number): FakeDocumentsApi => {
  const api = new FakeDocumentsApi();
  for (let i = 0; i < count; i += 1) {
    const document = aDocument(`incoming/doc-${String(i).padStart(3, '0')}.pdf`, {
      status: i % 4 === 0 ? 'FAILED' : 'PROCESSED',
    });
    api.documents.set(document.id, document);
  }
  return api;
};

describe('listDocuments', () => {
  it('follows cursors until it has the number asked for, and hands back the cursor', async () => {
    // Prepare
    const api = seeded(250);

    // Act
    const list = await listDocuments(api, { limit: 130 });

    // Assess
    expect(list.items).toHaveLength(130);
    expect(list.nextCursor).toBe('130');
    expect(api.listCalls.map((call) => [call.limit, call.cursor])).toEqual([
      [100, undefined],
      [30, '100'],
    ]);
  });

  it('lists everything with no limit, passing the filters on every page', async () => {
    // Prepare
    const api = seeded(250);

    // Act
    const list = await listDocuments(api, { status: 'FAILED', type: 'pdf' });

    // Assess
    expect(list.items).toHaveLength(63);
    expect(list.nextCursor).toBeNull();
    expect(
      api.listCalls.every((call) => call.status === 'FAILED' && call.type === 'pdf' && call.limit === 100),
    ).toBe(true);
  });
});

describe('renderDocumentList', () => {
  it('shows id, status, type, pages, key, upload time and reason, with unsafe keys escaped', () => {
    // Prepare
    const rejected = aDocument('incoming/scan\u001b]0;owned\u0007.pdf', {
      status: 'REJECTED',
      type: 'pdf',
      reason: 'CORRUPT',
      uploadedAt: '2026-11-23T10:00:00.000Z',
    });
    const failed = aDocument('incoming/b.png', {
      status: 'FAILED',
      failure: { error: 'States.Timeout', cause: 'x' },
    });
    const processed = aDocument('incoming/c.pdf', { type: 'pdf', pages: 12 });

    // Act
    const lines = renderDocumentList([rejected, failed, processed]);

    // Assess
    expect(lines[0]).toMatch(/^ID\s+STATUS\s+TYPE\s+PAGES\s+KEY\s+UPLOADED\s+REASON$/);
    expect(lines[1]).toContain(`${rejected.id}  REJECTED   pdf`);
    expect(lines[1]).toContain('incoming/scan\\u{1b}]0;owned\\u{07}.pdf');
    expect(lines[1]).toMatch(/2026-11-23T10:00:00Z\s+CORRUPT$/);
    expect(lines[2]).toMatch(/FAILED\s+–\s+–\s+incoming\/b\.png.*States\.Timeout$/);
    expect(lines[3]).toMatch(/PROCESSED\s+pdf\s+12\s+incoming\/c\.pdf/);
    expect(lines.join('\n')).not.toContain('\u001b');
  });
});
