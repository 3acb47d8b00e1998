import type { TextStrategy } from '../../lambdas/shared/documents/document';
import type { RejectionReason } from '../../lambdas/shared/documents/errors';

/** What the pipeline must make of one sample document. */
export interface ExpectedResult {
  readonly file: string;
  readonly status: 'PROCESSED' | 'REJECTED';
  readonly type: 'pdf' | 'jpeg' | 'png' | 'webp' | 'docx' | 'text';
  readonly mimeType: string;
  /** Page count when the pipeline can know it (images count as one page); null otherwise. */
  readonly pages: number | null;
  readonly textStrategy: TextStrategy;
  /** A phrase the extracted text must contain; null when the document carries no text. */
  readonly phrase: string | null;
  readonly thumbnail: boolean;
  /** Rejection reason code, only for REJECTED documents. */
  readonly reason?: RejectionReason;
}

/** Distinctive phrases, one place, so the files and the expectations cannot drift apart. */
export const PHRASES = {
  printedText: 'The quick brown fox jumps over the lazy dog',
  reportTitle: 'Quarterly Operations Report',
  reportAuthor: 'Ada Lovelace',
  reportPageTwo: 'Harbour crane seven was repaired ahead of schedule',
  scannedPageOne: 'Invoice number 4711 from Blue Heron Supplies',
  scannedPageTwo: 'Delivery accepted by the night shift in Rotterdam',
  memoTitle: 'Office Move Memo',
  memoAuthor: 'Grace Hopper',
  memo: 'Please label every box with your desk number',
  notes: 'Meet at the café on Rue Cler at noon',
} as const;

/** Every sample document with its expected outcome, in the order the README lists them. */
export const EXPECTED_RESULTS: readonly ExpectedResult[] = [
  {
    file: 'photo-exif-rotated.jpg',
    status: 'PROCESSED',
    type: 'jpeg',
    mimeType: 'image/jpeg',
    pages: 1,
    textStrategy: 'textract-sync',
    phrase: null,
    thumbnail: true,
  },
  {
    file: 'printed-text.png',
    status: 'PROCESSED',
    type: 'png',
    mimeType: 'image/png',
    pages: 1,
    textStrategy: 'textract-sync',
    phrase: PHRASES.printedText,
    thumbnail: true,
  },
  {
    file: 'diagram.webp',
    status: 'PROCESSED',
    type: 'webp',
    mimeType: 'image/webp',
    pages: 1,
    textStrategy: 'textract-sync',
    phrase: null,
    thumbnail: true,
  },
  {
    file: 'report-text-layer.pdf',
    status: 'PROCESSED',
    type: 'pdf',
    mimeType: 'application/pdf',
    pages: 3,
    textStrategy: 'local',
    phrase: PHRASES.reportPageTwo,
    thumbnail: true,
  },
  {
    file: 'scanned-two-pages.pdf',
    status: 'PROCESSED',
    type: 'pdf',
    mimeType: 'application/pdf',
    pages: 2,
    textStrategy: 'textract-async',
    phrase: PHRASES.scannedPageTwo,
    thumbnail: true,
  },
  {
    file: 'memo.docx',
    status: 'PROCESSED',
    type: 'docx',
    mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    pages: null,
    textStrategy: 'local',
    phrase: PHRASES.memo,
    thumbnail: false,
  },
  {
    file: 'notes.txt',
    status: 'PROCESSED',
    type: 'text',
    mimeType: 'text/plain',
    pages: null,
    textStrategy: 'local',
    phrase: PHRASES.notes,
    thumbnail: false,
  },
  {
    file: 'corrupt.pdf',
    status: 'REJECTED',
    type: 'pdf',
    mimeType: 'application/pdf',
    pages: null,
    textStrategy: 'none',
    phrase: null,
    thumbnail: false,
    reason: 'CORRUPT',
  },
];
