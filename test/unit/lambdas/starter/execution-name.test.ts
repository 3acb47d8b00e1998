import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EXECUTION_NAME_MAX_LENGTH,
  executionName,
  reprocessExecutionName,
} from '../../../../lambdas/starter/execution-name';

const NAME_RULES = /^[A-Za-z0-9_-]{1,80}$/;
const bucket = fc.stringMatching(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/);
const key = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 300 }),
  fc.string({
    unit: fc.constantFrom('a', 'B', '7', '/', ' ', '.', '-', '_', '+', '%', 'é', '📄'),
    maxLength: 300,
  }),
);
const version = fc.oneof(fc.stringMatching(/^[A-Za-z0-9._]{32}$/), fc.stringMatching(/^[0-9A-F]{32}$/));

describe('executionName', () => {
  it('always satisfies the Step Functions name rules', () => {
    fc.assert(
      fc.property(bucket, key, version, (b, k, v) => {
        expect(executionName(b, k, v)).toMatch(NAME_RULES);
      }),
      { numRuns: 1000 },
    );
  });

  it('is the same for the same object version', () => {
    fc.assert(
      fc.property(bucket, key, version, (b, k, v) => {
        expect(executionName(b, k, v)).toBe(executionName(b, k, v));
      }),
    );
  });

  it('differs when the bucket, the key or the version differs', () => {
    fc.assert(
      fc.property(
        fc.tuple(bucket, key, version),
        fc.tuple(bucket, key, version),
        ([b1, k1, v1], [b2, k2, v2]) => {
          fc.pre(b1 !== b2 || k1 !== k2 || v1 !== v2);
          expect(executionName(b1, k1, v1)).not.toBe(executionName(b2, k2, v2));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('differs for each single changed part, even when the readable prefix is the same', () => {
    // Prepare
    const base = executionName('uploads', 'incoming/report.pdf', 'v1');

    // Act
    const variants = [
      executionName('uploads-2', 'incoming/report.pdf', 'v1'),
      executionName('uploads', 'archive/report.pdf', 'v1'),
      executionName('uploads', 'incoming/report.pdf', 'v2'),
      // Parts must not run into each other.
      executionName('uploads', 'incoming/report.pdf', 'v1 '),
      executionName('uploads', 'incoming/report.pdf"', 'v1'),
    ];

    // Assess
    for (const variant of variants) expect(variant).not.toBe(base);
    expect(new Set(variants).size).toBe(variants.length);
    expect(variants.slice(0, 3).every((name) => name.startsWith('report-pdf-'))).toBe(true);
  });

  it.each([
    { key: 'incoming/report.pdf', prefix: 'report-pdf' },
    { key: 'incoming/Quarterly report (final).pdf', prefix: 'Quarterly-report-final-pdf' },
    { key: 'incoming/caf\u00e9.pdf', prefix: 'cafe-pdf' },
    { key: 'incoming/cafe\u0301.pdf', prefix: 'cafe-pdf' },
    { key: 'incoming/na\u00efve r\u00e9sum\u00e9.pdf', prefix: 'naive-resume-pdf' },
    { key: 'incoming/a+b c.pdf', prefix: 'a-b-c-pdf' },
    { key: 'incoming/2026/11/scan_01.tiff', prefix: 'scan_01-tiff' },
  ])('reads as the base name of $key', ({ key: objectKey, prefix }) => {
    // Act
    const name = executionName('uploads', objectKey, 'v1');

    // Assess
    expect(name).toMatch(new RegExp(`^${prefix}-[0-9a-f]{32}$`));
  });

  it('keeps the parts apart where plain concatenation would run them together', () => {
    // Act: each pair concatenates to the same string and has the same readable prefix.
    const pairs = [
      [executionName('uploads', 'incoming/a.pdf', '.v1'), executionName('uploads', 'incoming/a.pdf.', 'v1')],
      [executionName('uploads', 'x/a.pdf', 'v1'), executionName('uploadsx', '/a.pdf', 'v1')],
    ];

    // Assess
    for (const [left, right] of pairs) {
      expect(left?.slice(0, -32)).toBe(right?.slice(0, -32));
      expect(left).not.toBe(right);
    }
  });

  it('is only the hash when the base name has nothing readable', () => {
    // Act
    const names = [
      executionName('uploads', 'incoming/', 'v1'),
      executionName('uploads', 'incoming/📄🚀', 'v1'),
      executionName('uploads', 'incoming/...', 'v1'),
    ];

    // Assess
    for (const name of names) expect(name).toMatch(/^[0-9a-f]{32}$/);
  });

  it('truncates a long base name to fit 80 characters and keeps the whole hash', () => {
    // Prepare
    const longKey = `incoming/${'very-long-file-name-'.repeat(20)}.pdf`;

    // Act
    const name = executionName('uploads', longKey, 'v1');

    // Assess
    expect(name).toHaveLength(EXECUTION_NAME_MAX_LENGTH);
    expect(name).toMatch(/^very-long-file-name-[A-Za-z0-9_-]+-[0-9a-f]{32}$/);
    expect(name).not.toMatch(/--/);
  });

  it('keeps NFC and NFD spellings of one name apart', () => {
    // Act
    const [nfc, nfd] = [
      executionName('uploads', 'incoming/caf\u00e9.pdf', 'v1'),
      executionName('uploads', 'incoming/cafe\u0301.pdf', 'v1'),
    ];

    // Assess
    expect(nfc).not.toBe(nfd);
  });
});

describe('reprocessExecutionName', () => {
  // One below the largest, so that the next generation is one too.
  const generation = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER - 1 });

  it('always satisfies the Step Functions name rules, whatever the generation', () => {
    fc.assert(
      fc.property(bucket, key, version, generation, (b, k, v, g) => {
        expect(reprocessExecutionName(b, k, v, g)).toMatch(NAME_RULES);
      }),
      { numRuns: 1000 },
    );
  });

  it('is the upload run’s hash with the generation appended, one name per version and generation', () => {
    fc.assert(
      fc.property(bucket, key, version, generation, (b, k, v, g) => {
        const name = reprocessExecutionName(b, k, v, g);
        const uploadHash = executionName(b, k, v).slice(-32);
        expect(name.endsWith(`${uploadHash}-g${g}`)).toBe(true);
        expect(name).toBe(reprocessExecutionName(b, k, v, g));
        expect(name).not.toBe(reprocessExecutionName(b, k, v, g + 1));
        expect(name).not.toBe(executionName(b, k, v));
      }),
    );
  });

  it('shortens a long readable part to make room for the generation', () => {
    // Prepare
    const longKey = `incoming/${'x'.repeat(120)}.pdf`;

    // Act
    const first = reprocessExecutionName('uploads', longKey, 'v1', 1);
    const large = reprocessExecutionName('uploads', longKey, 'v1', 123_456_789);

    // Assess
    expect(first).toHaveLength(EXECUTION_NAME_MAX_LENGTH);
    expect(large).toHaveLength(EXECUTION_NAME_MAX_LENGTH);
    expect(first).toMatch(/^x{44}-[0-9a-f]{32}-g1$/);
    expect(large).toMatch(/^x{36}-[0-9a-f]{32}-g123456789$/);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses generation %s, which is no reprocess', (g) => {
    // Act & Assess
    expect(() => reprocessExecutionName('uploads', 'incoming/a.pdf', 'v1', g)).toThrow(RangeError);
  });
});
