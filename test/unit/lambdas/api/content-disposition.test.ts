import { describe, expect, it } from 'vitest';
import { attachmentDisposition, filenameOfKey } from '../../../../lambdas/api/content-disposition';

describe('attachmentDisposition', () => {
  it('makes an SVG a download, never inline', () => {
    // Act
    const header = attachmentDisposition('logo.svg');

    // Assess
    expect(header).toBe(`attachment; filename="logo.svg"; filename*=UTF-8''logo.svg`);
  });

  it('keeps the exact name in filename* and a safe ASCII one in filename', () => {
    // Act
    const header = attachmentDisposition('Résumé "final" (1)\r\n*.pdf');

    // Assess
    expect(header).toBe(
      `attachment; filename="R_sum_ _final_ (1)__*.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22%20%281%29%0D%0A%2A.pdf`,
    );
  });

  it('cannot be broken out of by quotes, backslashes or semicolons', () => {
    // Act
    const header = attachmentDisposition('a\\"; filename=evil.html');

    // Assess
    expect(header).toBe(
      `attachment; filename="a___ filename=evil.html"; filename*=UTF-8''a%5C%22%3B%20filename%3Devil.html`,
    );
  });
});

describe('filenameOfKey', () => {
  it('takes the last key segment, with a fallback for folder-like keys', () => {
    // Assess
    expect(filenameOfKey('incoming/2026/report.pdf')).toBe('report.pdf');
    expect(filenameOfKey('report.pdf')).toBe('report.pdf');
    expect(filenameOfKey('incoming/folder/')).toBe('document');
  });
});
