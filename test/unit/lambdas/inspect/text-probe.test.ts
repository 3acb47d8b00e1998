import { describe, expect, it } from 'vitest';
import { decodeText, sniffText, verifyText } from '../../../../lambdas/inspect/text-probe';
import { UnsupportedDocumentError } from '../../../../lambdas/shared/errors';

const sniff = (text: string | Buffer, complete = true) =>
  sniffText(typeof text === 'string' ? Buffer.from(text) : text, complete);

describe('sniffText', () => {
  it.each([
    ['a bare root element', '<svg xmlns="http://www.w3.org/2000/svg"/>'],
    ['a BOM and leading whitespace', '\ufeff \n\t<svg width="1" height="1"></svg>'],
    [
      'a declaration, a comment and a doctype',
      '<?xml version="1.0"?>\n<!-- x -->\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg/>',
    ],
  ])('recognises SVG with %s', (_, text) => {
    // Act
    const result = sniff(text);

    // Assess
    expect(result).toEqual({ mimeType: 'image/svg+xml', encoding: 'utf-8' });
  });

  it.each([
    ['an element merely starting with "svg"', '<svgfoo/>'],
    ['SVG markup quoted inside prose', 'The file starts with <svg> normally.'],
    ['an XML document with another root', '<?xml version="1.0"?><note><svg/></note>'],
    ['JSON', '{"svg": "<svg/>"}'],
  ])('reads %s as plain text', (_, text) => {
    // Act
    const result = sniff(text);

    // Assess
    expect(result).toEqual({ mimeType: 'text/plain', encoding: 'utf-8' });
  });

  it('reads UTF-16 big-endian text with a BOM', () => {
    // Prepare
    const bytes = Buffer.from('\ufeffbig endian', 'utf16le').swap16();

    // Act
    const result = sniff(bytes);

    // Assess
    expect(result).toEqual({ mimeType: 'text/plain', encoding: 'utf-16be' });
  });

  it.each([
    ['an HTML doctype', '<!doctype HTML><title>x</title>'],
    [
      'an html root after an XML declaration (XHTML)',
      '<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"/>',
    ],
    ['a bare script element', '  <script>alert(1)</script>'],
    [
      'an SVG declaring entities (billion laughs)',
      '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><svg>&b;</svg>',
    ],
    ['text full of control characters', `${'\u0001\u0002\u0003'.repeat(10)}some words`],
    ['invalid UTF-8', Buffer.from([0x61, 0x62, 0xff, 0xfe, 0x63, 0x64])],
    ['UTF-16 without a BOM (NUL bytes)', Buffer.from('no bom here', 'utf16le')],
  ])('rejects %s as UNSUPPORTED_TYPE', (_, input) => {
    // Act
    const act = () => sniff(input);

    // Assess
    expect(act).toThrow(UnsupportedDocumentError);
  });

  it('tolerates a multi-byte character cut at the end of a partial sample only', () => {
    // Prepare
    const cut = Buffer.from('café').subarray(0, 4);

    // Act
    const partial = sniff(cut, false);
    const whole = () => sniff(cut, true);

    // Assess
    expect(partial.mimeType).toBe('text/plain');
    expect(whole).toThrow(UnsupportedDocumentError);
  });
});

describe('verifyText and decodeText', () => {
  it('decodes UTF-8 with a BOM and UTF-16 text without the BOM', () => {
    // Prepare
    const utf8 = Buffer.from('\ufeffhello');
    const utf16 = Buffer.from('\ufeffhi there', 'utf16le');

    // Act
    const texts = [decodeText(utf8), decodeText(utf16)];

    // Assess
    expect(texts).toEqual(['hello', 'hi there']);
  });

  it('rejects a body with invalid UTF-8 after a valid start', () => {
    // Prepare
    const bytes = Buffer.concat([Buffer.from('valid start '), Buffer.from([0xc3, 0x28])]);

    // Act
    const act = () => verifyText(bytes, 'utf-8');

    // Assess
    expect(act).toThrow('UNSUPPORTED_TYPE: not valid UTF-8 text past its first block');
  });
});
