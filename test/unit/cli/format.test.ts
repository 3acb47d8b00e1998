import { describe, expect, it } from 'vitest';
import {
  displayWidth,
  formatBytes,
  formatDuration,
  formatInstant,
  printable,
  printableText,
  readableCause,
  truncate,
} from '../../../cli/format';
import { renderFields, renderTable } from '../../../cli/table';

describe('printable', () => {
  it('escapes terminal control sequences and bidirectional overrides found in data', () => {
    // Prepare
    const key = 'incoming/\u001b[2Jevil\u0007.pdf';
    const spoofed = 'invoice\u202efdp.exe';

    // Act & Assess
    expect(printable(key)).toBe('incoming/\\u{1b}[2Jevil\\u{07}.pdf');
    expect(printable(spoofed)).toBe('invoice\\u{202e}fdp.exe');
    expect(printable('café 報告 +%20.pdf')).toBe('café 報告 +%20.pdf');
  });

  it('keeps line breaks in a text preview but nothing else unsafe', () => {
    // Act & Assess
    expect(printableText('line one\r\nline\ttwo\u001b[31m')).toBe('line one\nline  two\\u{1b}[31m');
  });
});

describe('displayWidth and truncate', () => {
  it('counts wide characters twice and combining marks not at all', () => {
    // Act & Assess
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('報告書')).toBe(6);
    expect(displayWidth('cafe\u0301')).toBe(4);
    expect(displayWidth('📄x')).toBe(3);
  });

  it('follows the whole East Asian Width table: vertical forms, Tangut, kana supplements, ZWJ emoji', () => {
    // Act & Assess
    expect(displayWidth('\uFE10\u{17000}\u{1B000}')).toBe(6);
    expect(displayWidth('👩‍💻')).toBe(2);
    expect(displayWidth('ｱ')).toBe(1);
  });

  it('cuts at the end or in the middle to the width asked', () => {
    // Prepare
    const key = 'incoming/2026/november/quarterly-report.pdf';

    // Act
    const end = truncate(key, 12);
    const middle = truncate(key, 20, 'middle');

    // Assess
    expect(end).toBe('incoming/20…');
    expect(middle).toBe('incoming/2…eport.pdf');
    expect(displayWidth(middle)).toBe(20);
    expect(truncate('short', 20)).toBe('short');
    expect(displayWidth(truncate('報告書報告書', 5))).toBeLessThanOrEqual(5);
  });
});

describe('formatting numbers and times', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1536, '1.5 KiB'],
    [12 * 1024 * 1024, '12.0 MiB'],
  ])('formats %d bytes as %s', (bytes, text) => {
    // Act & Assess
    expect(formatBytes(bytes)).toBe(text);
  });

  it.each([
    [35, '35 ms'],
    [4249, '4.2 s'],
    [185_000, '3 min 05 s'],
    [3_720_000, '1 h 02 min'],
  ])('formats %d ms as %s', (ms, text) => {
    // Act & Assess
    expect(formatDuration(ms)).toBe(text);
  });

  it('shows instants to the second in UTC', () => {
    // Act & Assess
    expect(formatInstant('2026-11-23T10:00:00.123Z')).toBe('2026-11-23T10:00:00Z');
    expect(formatInstant('2026-11-23T11:00:00+01:00')).toBe('2026-11-23T10:00:00Z');
    expect(formatInstant(undefined)).toBe('');
  });
});

describe('readableCause', () => {
  it('takes the message out of a Lambda error envelope and leaves other causes alone', () => {
    // Prepare
    const envelope = JSON.stringify({
      errorType: 'CorruptDocumentError',
      errorMessage: 'CORRUPT: not a valid PDF',
      trace: ['CorruptDocumentError: CORRUPT: not a valid PDF', '    at probe (inspect.ts:1:1)'],
    });

    // Act & Assess
    expect(readableCause(envelope)).toBe('CORRUPT: not a valid PDF');
    expect(readableCause('Task timed out after 30 s')).toBe('Task timed out after 30 s');
    expect(readableCause('{not json')).toBe('{not json');
    expect(readableCause(undefined)).toBeUndefined();
  });
});

describe('renderTable', () => {
  it('aligns columns by display width and makes every cell printable', () => {
    // Act
    const lines = renderTable(
      [{ header: 'KEY' }, { header: 'PAGES', align: 'right' }],
      [
        ['報告.pdf', '3'],
        ['bad\u001bname', '12'],
      ],
    );

    // Assess
    expect(lines).toEqual(['KEY            PAGES', '報告.pdf           3', 'bad\\u{1b}name     12']);
  });

  it('shrinks only the shrinkable columns to fit the width', () => {
    // Prepare
    const key = 'incoming/a/very/long/folder/structure/with/a/file-name.pdf';

    // Act
    const lines = renderTable(
      [{ header: 'ID' }, { header: 'KEY', shrink: 'middle' }, { header: 'STATUS' }],
      [['AbCdEfGhIjKlMnOpQrStUv', key, 'PROCESSED']],
      { width: 60 },
    );

    // Assess
    expect(lines.every((line) => displayWidth(line) <= 60)).toBe(true);
    expect(lines[1]).toContain('AbCdEfGhIjKlMnOpQrStUv');
    expect(lines[1]).toContain('PROCESSED');
    expect(lines[1]).toMatch(/ incoming\/a\/\S*…\S*name\.pdf /);
  });

  it('renders label/value fields, leaving out absent ones', () => {
    // Act & Assess
    expect(
      renderFields([
        ['status', 'PROCESSED'],
        ['reason', undefined],
        ['key', 'a\u0007'],
      ]),
    ).toEqual(['status  PROCESSED', 'key     a\\u{07}']);
  });
});
