import { describe, expect, it } from 'vitest';
import { sniffFormat } from '../../../../local/textract/document-pages';

describe('sniffFormat', () => {
  it.each([
    ['PNG', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0], 'PNG'],
    ['JPEG', [0xff, 0xd8, 0xff, 0xe0, 0, 0x10], 'JPEG'],
    ['little-endian TIFF', [0x49, 0x49, 0x2a, 0x00, 8, 0], 'TIFF'],
    ['big-endian TIFF', [0x4d, 0x4d, 0x00, 0x2a, 0, 8], 'TIFF'],
    ['PDF', [...Buffer.from('%PDF-1.7\n')], 'PDF'],
    ['PDF after leading junk', [...Buffer.alloc(500, 0x20), ...Buffer.from('%PDF-1.4')], 'PDF'],
  ])('recognizes %s from its first bytes', (_, bytes, format) => {
    // Act
    const sniffed = sniffFormat(Uint8Array.from(bytes));

    // Assess
    expect(sniffed).toBe(format);
  });

  it.each([
    ['GIF', [...Buffer.from('GIF89a')]],
    ['WebP', [...Buffer.from('RIFF\0\0\0\0WEBPVP8 ')]],
    ['text', [...Buffer.from('hello, world')]],
    ['empty', []],
    ['a PDF marker past the first 1024 bytes', [...Buffer.alloc(1100, 0x20), ...Buffer.from('%PDF-1.4')]],
  ])('returns undefined for %s', (_, bytes) => {
    // Act
    const sniffed = sniffFormat(Uint8Array.from(bytes));

    // Assess
    expect(sniffed).toBeUndefined();
  });
});
