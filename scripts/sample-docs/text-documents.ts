import JSZip from 'jszip';
import { PHRASES } from './expected-results';

const FIXED_DATE = new Date('2026-01-15T09:30:00Z');

const xmlEscape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The smallest DOCX Word and mammoth accept: content types, package rels, the body and core properties. */
export const makeMemoDocx = async (): Promise<Buffer> => {
  const paragraphs = [
    PHRASES.memoTitle,
    'To: everyone on the third floor',
    `We move to the new building on Friday. ${PHRASES.memo} and leave it by the lift.`,
    'Plants, monitors and chairs travel separately.',
  ];
  const xmlHeader = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
  const zip = new JSZip();
  const options = { date: FIXED_DATE, createFolders: false };
  zip.file(
    '[Content_Types].xml',
    `${xmlHeader}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
      '<Default Extension="xml" ContentType="application/xml"/>' +
      '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>' +
      '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>' +
      '</Types>',
    options,
  );
  zip.file(
    '_rels/.rels',
    `${xmlHeader}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
      '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>' +
      '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>' +
      '</Relationships>',
    options,
  );
  zip.file(
    'word/document.xml',
    `${xmlHeader}<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` +
      paragraphs
        .map((text) => `<w:p><w:r><w:t xml:space="preserve">${xmlEscape(text)}</w:t></w:r></w:p>`)
        .join('') +
      '</w:body></w:document>',
    options,
  );
  zip.file(
    'docProps/core.xml',
    `${xmlHeader}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"` +
      ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"' +
      ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
      `<dc:title>${xmlEscape(PHRASES.memoTitle)}</dc:title><dc:creator>${xmlEscape(PHRASES.memoAuthor)}</dc:creator>` +
      `<dcterms:created xsi:type="dcterms:W3CDTF">${FIXED_DATE.toISOString().replace('.000', '')}</dcterms:created>` +
      '</cp:coreProperties>',
    options,
  );
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 9 } });
};

/** Plain UTF-8 notes with accented words, for the local text path. */
export const makeNotesText = (): Buffer =>
  Buffer.from(
    [
      'Notes for Thursday',
      '',
      `${PHRASES.notes}.`,
      'Bring the signed contract and two copies of the floor plan.',
      'Ask about the naïve pricing model before the coffee gets cold.',
      '',
    ].join('\n'),
    'utf8',
  );
