import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileTypeFromBuffer } from 'file-type';
import JSZip from 'jszip';
import mammoth from 'mammoth';
import { getDocument, type PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import sharp from 'sharp';
import { renderPdfPage } from '../lambdas/shared/parsing/pdf-render';
import type { RecognizedPage } from '../local/textract/blocks';
import { TesseractPool } from '../local/textract/ocr-engine';

/**
 * The pipeline's work on one document, done directly in one process: what the pipeline ÷ direct ratio
 * divides by. It is the work itself, with the same libraries and settings the pipeline uses — detect
 * the type from the bytes, read the metadata, make the 256 px WebP thumbnail, get the text (text layer,
 * DOCX, plain text, or OCR with the local Textract's own tesseract engine at its 200 dpi) — and none of
 * the machinery: no S3 round trips, no queue, no state machine, no Lambda environments, no worker
 * containment, each PDF opened once. Thumbnail and text run concurrently, as the state machine's
 * Parallel state runs them.
 *
 * It deliberately uses libraries and the two lowest pure helpers (renderPdfPage, the OCR engine) rather
 * than the handlers' cores: those are being reshaped (parsers into child processes), and the ratio is
 * meant to show what the machinery costs on top of the intrinsic work.
 */

export interface DirectOutcome {
  readonly type: string;
  readonly rejected: boolean;
  readonly pages: number;
  readonly characters: number;
  readonly thumbnail: boolean;
}

const packageRoot = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
const folder = (name: string): string => `${join(packageRoot, name)}${sep}`;

const PDF_OPTIONS = {
  standardFontDataUrl: folder('standard_fonts'),
  cMapUrl: folder('cmaps'),
  cMapPacked: true,
  wasmUrl: folder('wasm'),
  useSystemFonts: false,
  verbosity: 0,
} as const;

const THUMBNAIL_SIDE = 256;
const OCR_DPI = 200;
const OCR_MAX_SIDE = 5_000;

const thumbnailOf = async (input: Uint8Array, rotate: boolean): Promise<void> => {
  const image = sharp(input);
  await (rotate ? image.rotate() : image)
    .resize(THUMBNAIL_SIDE, THUMBNAIL_SIDE, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 80 })
    .toBuffer();
};

const wordCharacters = (page: RecognizedPage): number =>
  page.lines.reduce(
    (total, line) => total + line.words.reduce((inLine, word) => inLine + word.text.length, 0),
    0,
  );

export class DirectWork {
  readonly #ocr = new TesseractPool();

  /** Starts the OCR engine, so that no timed document pays for it (the pipeline's is warm too). */
  async warmUp(): Promise<void> {
    await this.#ocr.warmUp();
  }

  async stop(): Promise<void> {
    await this.#ocr.stop();
  }

  async process(bytes: Uint8Array): Promise<DirectOutcome> {
    createHash('sha256').update(bytes).digest('hex');
    const detected = await fileTypeFromBuffer(bytes);
    switch (detected?.ext) {
      case 'pdf':
        return this.#pdf(bytes);
      case 'png':
      case 'jpg':
      case 'webp':
      case 'gif':
      case 'tif':
      case 'avif':
        return this.#image(bytes, detected.ext);
      case 'docx':
        return this.#docx(bytes);
      case undefined:
        return this.#text(bytes);
      default:
        return {
          type: detected?.ext ?? 'unknown',
          rejected: true,
          pages: 0,
          characters: 0,
          thumbnail: false,
        };
    }
  }

  #text(bytes: Uint8Array): DirectOutcome {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return { type: 'text', rejected: false, pages: 1, characters: text.length, thumbnail: false };
  }

  async #docx(bytes: Uint8Array): Promise<DirectOutcome> {
    const zip = await JSZip.loadAsync(bytes);
    await zip.file('docProps/core.xml')?.async('string');
    const { value } = await mammoth.extractRawText({ buffer: Buffer.from(bytes) });
    return { type: 'docx', rejected: false, pages: 1, characters: value.length, thumbnail: false };
  }

  async #image(bytes: Uint8Array, type: string): Promise<DirectOutcome> {
    await sharp(bytes).metadata();
    const [, characters] = await Promise.all([
      thumbnailOf(bytes, true),
      (async () => {
        const { data, info } = await sharp(bytes)
          .rotate()
          .flatten({ background: '#ffffff' })
          .greyscale()
          .png({ compressionLevel: 1 })
          .toBuffer({ resolveWithObject: true });
        return wordCharacters(
          await this.#ocr.recognize({ bytes: data, width: info.width, height: info.height }),
        );
      })(),
    ]);
    return { type, rejected: false, pages: 1, characters, thumbnail: true };
  }

  async #pdf(bytes: Uint8Array): Promise<DirectOutcome> {
    const task = getDocument({ ...PDF_OPTIONS, data: new Uint8Array(bytes) });
    let doc: PDFDocumentProxy;
    try {
      doc = await task.promise;
    } catch {
      await task.destroy();
      return { type: 'pdf', rejected: true, pages: 0, characters: 0, thumbnail: false };
    }
    try {
      await doc.getMetadata();
      const texts: string[] = [];
      for (let number = 1; number <= doc.numPages; number++) {
        const page = await doc.getPage(number);
        const content = await page.getTextContent();
        texts.push(content.items.map((item) => ('str' in item ? item.str : '')).join(' '));
        page.cleanup();
      }
      const hasTextLayer = texts.every((text) => text.replace(/\s+/g, '').length >= 16);
      const thumbnail = renderPdfPage(doc, 1, { dpi: 72, maxSidePixels: 2 * THUMBNAIL_SIDE }).then((page) =>
        thumbnailOf(page.png, false),
      );
      let characters = texts.reduce((total, text) => total + text.length, 0);
      if (!hasTextLayer) {
        characters = 0;
        for (let number = 1; number <= doc.numPages; number++) {
          const page = await renderPdfPage(doc, number, { dpi: OCR_DPI, maxSidePixels: OCR_MAX_SIDE });
          const read = await this.#ocr.recognize({
            bytes: page.png,
            width: page.width,
            height: page.height,
            dpi: page.dpi,
          });
          characters += wordCharacters(read);
        }
      }
      await thumbnail;
      return { type: 'pdf', rejected: false, pages: doc.numPages, characters, thumbnail: true };
    } finally {
      await task.destroy();
    }
  }
}
