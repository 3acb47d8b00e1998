import { describe, expect, it } from 'vitest';
import { childText, escapeXml, MalformedXmlError, parseXml } from '../../../../local/s3/xml';

describe('parseXml', () => {
  it('reads elements, namespaces, entities and CDATA', () => {
    // Prepare
    const source = `<?xml version="1.0" encoding="UTF-8"?>
      <!-- a comment -->
      <s3:Root xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/" note="a > b">
        <Key>a &amp; b &lt;c&gt; &#233;&#x1F600;</Key>
        <Raw><![CDATA[<not markup>]]></Raw>
        <Empty/>
      </s3:Root>`;

    // Act
    const root = parseXml(source);

    // Assess
    expect(root.name).toBe('Root');
    expect(root.children.map((child) => child.name)).toEqual(['Key', 'Raw', 'Empty']);
    expect(childText(root, 'Key')).toBe('a & b <c> é😀');
    expect(childText(root, 'Raw')).toBe('<not markup>');
    expect(childText(root, 'Empty')).toBe('');
    expect(childText(root, 'Missing')).toBeUndefined();
  });

  it.each([
    ['<a><b></a>', 'mismatched'],
    ['<a>', 'never closed'],
    ['<a/><b/>', 'after the root'],
    ['<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', 'DTD'],
    ['<a>&bogus;</a>', 'unknown entity'],
    ['plain text', 'no root'],
  ])('refuses %s', (source, reason) => {
    // Act
    const parse = () => parseXml(source);

    // Assess
    expect(parse).toThrow(MalformedXmlError);
    expect(parse).toThrow(new RegExp(reason));
  });

  it('escapes what it reads back', () => {
    // Prepare
    const text = `<a href="x">'&'</a>`;

    // Act
    const escaped = escapeXml(text);

    // Assess
    expect(escaped).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
    expect(childText(parseXml(`<r><v>${escaped}</v></r>`), 'v')).toBe(text);
  });
});
