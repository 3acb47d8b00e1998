import JSZip from 'jszip';
import {
  CorruptDocumentError,
  EncryptedDocumentError,
  UnsupportedDocumentError,
} from '../shared/documents/errors';
import { cleanMetadataText } from './metadata-text';

/** What Inspect learns from a Word document. Word counts pages when it lays them out; the file does not. */
export interface DocxProbe {
  readonly title?: string;
  readonly author?: string;
}

/** The part every Word document has; a package without it is not one. */
export const DOCX_MAIN_PART = 'word/document.xml';
const CORE_PROPERTIES_PART = 'docProps/core.xml';
const CONTENT_TYPES_PART = '[Content_Types].xml';
/** The content type `[Content_Types].xml` gives the main part of a Word document (not a template, not docm). */
const WORD_MAIN_CONTENT_TYPE =
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml';

/** Largest `[Content_Types].xml` inflated; real ones are a few KiB. */
const MAX_CONTENT_TYPES_BYTES = 1024 * 1024;

/** Largest `docProps/core.xml` inflated: a few KiB in practice, so a bigger one is a zip bomb. */
const MAX_CORE_PROPERTIES_BYTES = 256 * 1024;

/** Opens a ZIP package, mapping jszip's failures to rejections. */
export const loadZip = async (bytes: Uint8Array): Promise<JSZip> => {
  try {
    return await JSZip.loadAsync(bytes);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/encrypted/i.test(message)) {
      throw new EncryptedDocumentError('the ZIP package is password-protected', { cause: error });
    }
    throw new CorruptDocumentError(`the ZIP package cannot be read: ${message}`, { cause: error });
  }
};

/**
 * Streams an entry's inflated bytes to `onChunk` and says whether they stayed within `maxBytes`: past
 * it the stream stops, so a ZIP bomb is refused as it inflates, never held whole.
 */
export const inflatesWithin = (
  entry: JSZip.JSZipObject,
  maxBytes: number,
  onChunk: (chunk: Buffer) => void = () => {},
): Promise<boolean> =>
  new Promise((resolve, reject) => {
    let total = 0;
    const stream = entry.nodeStream('nodebuffer');
    const onData = (chunk: Buffer): void => {
      total += chunk.byteLength;
      if (total > maxBytes) {
        stream.removeListener('data', onData);
        stream.pause();
        resolve(false);
        return;
      }
      onChunk(chunk);
    };
    stream
      .on('data', onData)
      .on('error', reject)
      .on('end', () => resolve(true));
  });

/** Inflates one entry as UTF-8 text, giving up (undefined) once it passes `maxBytes`. */
const readEntryCapped = async (entry: JSZip.JSZipObject, maxBytes: number): Promise<string | undefined> => {
  const chunks: Buffer[] = [];
  const within = await inflatesWithin(entry, maxBytes, (chunk) => chunks.push(chunk));
  return within ? Buffer.concat(chunks).toString('utf8') : undefined;
};

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

const decodeXmlText = (text: string): string =>
  text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (whole, entity: string) => {
    if (entity.startsWith('#')) {
      const code =
        entity[1] === 'x' || entity[1] === 'X'
          ? Number.parseInt(entity.slice(2), 16)
          : Number(entity.slice(1));
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return XML_ENTITIES[entity.toLowerCase()] ?? whole;
  });

/** The text of the first `<prefix:name>` element of a small XML part (core properties hold no nesting). */
const elementText = (xml: string, name: string): string | undefined => {
  const match = new RegExp(`<(?:[\\w.-]+:)?${name}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w.-]+:)?${name}>`).exec(
    xml,
  );
  return match?.[1] === undefined ? undefined : decodeXmlText(match[1]);
};

/**
 * Whether a ZIP declares a Word document in its `[Content_Types].xml`. file-type reads the same part
 * but gives up after 1,024 entries; this reads it wherever it sits. An unreadable ZIP is not one.
 */
export const declaresWordDocument = async (bytes: Uint8Array): Promise<boolean> => {
  try {
    const zip = await JSZip.loadAsync(bytes);
    const contentTypes = zip.file(CONTENT_TYPES_PART);
    const xml = contentTypes ? await readEntryCapped(contentTypes, MAX_CONTENT_TYPES_BYTES) : undefined;
    return xml?.includes(WORD_MAIN_CONTENT_TYPE) ?? false;
  } catch {
    return false;
  }
};

/**
 * Checks a Word package (it must hold `word/document.xml`) and reads `dc:title` and `dc:creator` from
 * its core properties when present. A damaged package is CORRUPT.
 */
export const probeDocx = async (bytes: Uint8Array): Promise<DocxProbe> => {
  const zip = await loadZip(bytes);
  if (!zip.file(DOCX_MAIN_PART)) {
    throw new CorruptDocumentError(`the Word package has no ${DOCX_MAIN_PART}`);
  }
  const core = zip.file(CORE_PROPERTIES_PART);
  let xml: string | undefined;
  try {
    xml = core ? await readEntryCapped(core, MAX_CORE_PROPERTIES_BYTES) : undefined;
  } catch (error) {
    throw new CorruptDocumentError(`the Word package's ${CORE_PROPERTIES_PART} cannot be read`, {
      cause: error,
    });
  }
  if (xml === undefined) return {};
  const title = cleanMetadataText(elementText(xml, 'title'));
  const author = cleanMetadataText(elementText(xml, 'creator'));
  return {
    ...(title === undefined ? {} : { title }),
    ...(author === undefined ? {} : { author }),
  };
};

/** Name of the stream in which Office keeps a password-protected OOXML package, as stored (UTF-16LE). */
const ENCRYPTED_PACKAGE_STREAM = Buffer.from('EncryptedPackage', 'utf16le');

/**
 * An OLE compound file is either a password-protected Office Open XML package (Office wraps the
 * encrypted ZIP in one, with an `EncryptedPackage` stream) or a legacy binary Office file (.doc, .xls).
 * The first is ENCRYPTED, the second UNSUPPORTED; this always throws one of the two.
 */
export const rejectCompoundFile = (bytes: Uint8Array): never => {
  if (Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(ENCRYPTED_PACKAGE_STREAM)) {
    throw new EncryptedDocumentError('the Office document is password-protected');
  }
  throw new UnsupportedDocumentError('legacy binary Office documents (OLE compound files) are not supported');
};
