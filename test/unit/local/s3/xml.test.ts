import { describe, expect, it } from 'vitest';
import { childText, MalformedXmlError, parseXml, xmlDocument } from '../../../../local/s3/xml';

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
    ['<a><b></a>', 'Expected closing tag'],
    ['<a>', 'Unclosed tag'],
    ['<a/><b/>', 'after the root'],
    ['<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', 'DTD'],
    ['<a>&bogus;</a>', 'unknown entity'],
    ['<a>&nbsp;</a>', 'unknown entity'],
    ['plain text', 'not expected'],
    ['', 'Start tag expected'],
  ])('refuses %s', (source, reason) => {
    // Act
    const parse = () => parseXml(source);

    // Assess
    expect(parse).toThrow(MalformedXmlError);
    expect(parse).toThrow(new RegExp(reason));
  });

  it('writes one-line documents it reads back, text escaped', () => {
    // Prepare
    const text = `<a href="x">'&'</a>`;

    // Act
    const document = xmlDocument(
      'Root',
      { Value: text, Item: ['1', { Name: 'n' }], None: [], Empty: '' },
      { namespace: 'http://s3.amazonaws.com/doc/2006-03-01/' },
    );

    // Assess
    expect(document).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<Root xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Value>&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;</Value><Item>1</Item><Item><Name>n</Name></Item><Empty></Empty></Root>',
    );
    expect(childText(parseXml(document), 'Value')).toBe(text);
  });

  it('keeps the spaces of a text that is only spaces', () => {
    // Act
    const root = parseXml('<FilterRule><Name>prefix</Name><Value> </Value></FilterRule>');

    // Assess
    expect(root.children.find((child) => child.name === 'Value')?.text).toBe(' ');
  });
});
