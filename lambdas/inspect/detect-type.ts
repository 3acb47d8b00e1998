import { type FileTypeResult, fileTypeFromBuffer } from 'file-type';
import { UnsupportedDocumentError } from '../shared/documents/errors';
import { declaresWordDocument } from './docx-probe';
import { sniffText, type TextEncoding } from './text-probe';

/** Bytes read from the start of an object to tell its type: magic numbers and a text sample. */
export const SNIFF_BYTES = 64 * 1024;

/** Raster image kinds docflow accepts, by file-type's extension, with the short type stored. */
const RASTER_TYPES: Readonly<Record<string, string>> = {
  jpg: 'jpeg',
  png: 'png',
  apng: 'png',
  webp: 'webp',
  gif: 'gif',
  tif: 'tiff',
  avif: 'avif',
  heic: 'heic',
};

/** What the bytes of an object say it is; `type` is the short kind stored with the document. */
export type DetectedType =
  | {
      readonly family: 'pdf';
      readonly type: 'pdf';
      readonly mimeType: 'application/pdf';
      /** Set when only the leading signature matched: see {@link confirmType}. */
      readonly bySignature?: true;
    }
  | {
      readonly family: 'raster';
      readonly type: string;
      readonly mimeType: string;
      readonly bySignature?: true;
    }
  | { readonly family: 'svg'; readonly type: 'svg'; readonly mimeType: 'image/svg+xml' }
  | {
      readonly family: 'text';
      readonly type: 'text';
      readonly mimeType: 'text/plain';
      readonly encoding: TextEncoding;
    }
  /** A ZIP that may be a Word document; only the whole archive can tell (see {@link confirmDocx}). */
  | { readonly family: 'zip' }
  /** An OLE compound file: a password-protected OOXML package or a legacy Office file. */
  | { readonly family: 'compound-file' };

/**
 * MIME types of text formats by the extension of the object's name, for text whose bytes are already
 * proven text: the name refines what the bytes are, it never decides it (a `.csv` of binary data is
 * still UNSUPPORTED, a CSV named `.txt` is `text/plain`). Every other text is `text/plain`: source
 * files have no registered type of their own.
 */
const TEXT_MIME_TYPES: ReadonlyMap<string, string> = new Map([
  ['csv', 'text/csv'],
  ['tsv', 'text/tab-separated-values'],
  ['md', 'text/markdown'],
  ['markdown', 'text/markdown'],
  ['json', 'application/json'],
  ['xml', 'application/xml'],
  ['yaml', 'application/yaml'],
  ['yml', 'application/yaml'],
]);

/** The MIME type of a text document, from its object key's extension (see {@link TEXT_MIME_TYPES}). */
export const textMimeType = (key: string): string => {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return (dot > 0 && TEXT_MIME_TYPES.get(name.slice(dot + 1).toLowerCase())) || 'text/plain';
};

const DOCX_MIME_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/**
 * Leading signatures of the supported binary kinds. file-type also validates structure beyond them
 * (a TIFF's directory, which libtiff writes after the pixels; a PNG's chunks), so it answers "unknown"
 * for a sample that ends before that structure or for a damaged file. Those files still claim a kind:
 * the probe decides whether they are readable (else CORRUPT), rather than calling them UNSUPPORTED.
 */
const SIGNATURES: readonly { readonly bytes: readonly number[]; readonly detected: DetectedType }[] = [
  {
    bytes: [0x25, 0x50, 0x44, 0x46, 0x2d],
    detected: { family: 'pdf', type: 'pdf', mimeType: 'application/pdf', bySignature: true },
  },
  {
    bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    detected: { family: 'raster', type: 'png', mimeType: 'image/png', bySignature: true },
  },
  {
    bytes: [0xff, 0xd8, 0xff],
    detected: { family: 'raster', type: 'jpeg', mimeType: 'image/jpeg', bySignature: true },
  },
  {
    bytes: [0x47, 0x49, 0x46, 0x38],
    detected: { family: 'raster', type: 'gif', mimeType: 'image/gif', bySignature: true },
  },
  {
    bytes: [0x49, 0x49, 0x2a, 0x00],
    detected: { family: 'raster', type: 'tiff', mimeType: 'image/tiff', bySignature: true },
  },
  {
    bytes: [0x4d, 0x4d, 0x00, 0x2a],
    detected: { family: 'raster', type: 'tiff', mimeType: 'image/tiff', bySignature: true },
  },
];

const matchSignature = (bytes: Uint8Array): DetectedType | undefined =>
  SIGNATURES.find(({ bytes: signature }) => signature.every((byte, index) => bytes[index] === byte))
    ?.detected;

const sniffMagic = async (bytes: Uint8Array): Promise<FileTypeResult | undefined> => {
  try {
    return await fileTypeFromBuffer(bytes);
  } catch (error) {
    throw new UnsupportedDocumentError('the type of the bytes cannot be identified', { cause: error });
  }
};

/** Maps file-type's answer to a supported kind, throwing `UnsupportedDocumentError` for the rest. */
const fromMagic = (magic: FileTypeResult): DetectedType => {
  const raster = RASTER_TYPES[magic.ext];
  if (raster !== undefined) return { family: 'raster', type: raster, mimeType: magic.mime };
  switch (magic.ext) {
    case 'pdf':
      return { family: 'pdf', type: 'pdf', mimeType: 'application/pdf' };
    // file-type names a ZIP by the entries it reaches; in a sample it may not reach the Word parts.
    case 'zip':
    case 'docx':
      return { family: 'zip' };
    case 'cfb':
      return { family: 'compound-file' };
    default:
      throw new UnsupportedDocumentError(`${magic.mime} (.${magic.ext}) is not a supported type`);
  }
};

/**
 * Tells the type from the first bytes of an object: by magic number (file-type), then by the leading
 * signature of a supported kind, then by checking for text or SVG. Extensions and the uploader's
 * Content-Type are never consulted. Throws `UnsupportedDocumentError` for every kind docflow does not
 * process.
 *
 * @param sample the first {@link SNIFF_BYTES} bytes (or the whole object when smaller)
 * @param complete whether `sample` is the whole object
 */
export const detectType = async (sample: Uint8Array, complete: boolean): Promise<DetectedType> => {
  const magic = await sniffMagic(sample);
  if (magic !== undefined && magic.ext !== 'xml') return fromMagic(magic);
  const signature = matchSignature(sample);
  if (signature !== undefined) return signature;
  const text = sniffText(sample, complete);
  return text.mimeType === 'image/svg+xml'
    ? { family: 'svg', type: 'svg', mimeType: text.mimeType }
    : { family: 'text', type: 'text', mimeType: text.mimeType, encoding: text.encoding };
};

/**
 * Re-checks, on the whole object, a type known only by its signature: file-type may name it now (a
 * TIFF-based camera raw format is UNSUPPORTED, not a TIFF). When it still cannot, the signature stands
 * and the probe judges the bytes.
 */
export const confirmType = async (detected: DetectedType, bytes: Uint8Array): Promise<DetectedType> => {
  if (!('bySignature' in detected)) return detected;
  const magic = await sniffMagic(bytes);
  return magic === undefined ? detected : fromMagic(magic);
};

/**
 * Confirms from the whole archive that a ZIP is a Word document, as file-type reads it (from
 * `[Content_Types].xml`), and returns its MIME type. When file-type can only say "zip" (it stops after
 * 1,024 entries), the package's own content types decide. Any other ZIP (plain, xlsx, pptx, epub, docm)
 * is UNSUPPORTED.
 */
export const confirmDocx = async (bytes: Uint8Array): Promise<typeof DOCX_MIME_TYPE> => {
  const magic = await sniffMagic(bytes);
  if (magic?.ext === 'docx') return DOCX_MIME_TYPE;
  if (magic?.ext === 'zip' && (await declaresWordDocument(bytes))) return DOCX_MIME_TYPE;
  throw new UnsupportedDocumentError(
    `a ZIP archive that is not a Word document (${magic ? magic.mime : 'unidentified'})`,
  );
};
