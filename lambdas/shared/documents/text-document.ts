/**
 * The extracted-text document, one JSON object per document version in the derivatives bucket
 * (`derivativeKeys.text`). The state machine only ever carries a pointer to it.
 */
export interface TextDocument {
  readonly documentId: string;
  readonly version: string;
  /** The upload's padded sequencer (see `derivativeKeys`). */
  readonly sequencer: string;
  readonly source: 'pdf-text-layer' | 'docx' | 'plain-text' | 'textract';
  readonly pages: readonly TextPage[];
}

export interface TextPage {
  /** 1-based page number. */
  readonly number: number;
  readonly text: string;
  /** Present when the text comes from OCR: each line with its box and confidence. */
  readonly lines?: readonly TextLine[];
  /** Set when this page could not be read (the other pages still are). */
  readonly error?: string;
}

export interface TextLine {
  readonly text: string;
  /** 0–100, as Textract reports it. */
  readonly confidence: number;
  /** Relative to the page, 0–1, as Textract's BoundingBox. */
  readonly box: {
    readonly left: number;
    readonly top: number;
    readonly width: number;
    readonly height: number;
  };
}
