/** The document version a derivative belongs to. */
export interface DerivativeOwner {
  readonly id: string;
  /** S3 version id, or the sequencer when the bucket has no versioning. */
  readonly version: string;
  /** The upload's padded sequencer: it leads the key, so keys sort in upload order. */
  readonly sequencer: string;
}

/**
 * One path segment per version: the sequencer first, so that a deletion can tell from a key alone
 * whether the derivative belongs to an upload before it (and a newer upload's are never touched),
 * then the version id when it differs. S3 version ids may contain `/`; the key stays unambiguous
 * because the sequencer is a fixed 32 hex digits.
 */
const versionSegment = (owner: DerivativeOwner): string =>
  owner.version === owner.sequencer ? owner.sequencer : `${owner.sequencer}-${owner.version}`;

const THUMBNAILS = 'thumbnails/';
const TEXT = 'text/';

/** Derivative keys, by document version. Nothing here can match the uploads' `incoming/` prefix. */
export const derivativeKeys = {
  thumbnail: (owner: DerivativeOwner): string => `${THUMBNAILS}${owner.id}/${versionSegment(owner)}.webp`,
  text: (owner: DerivativeOwner): string => `${TEXT}${owner.id}/${versionSegment(owner)}.json`,
  /** The prefixes under which every derivative of one document lives. */
  prefixesOf: (documentId: string): readonly string[] => [
    `${THUMBNAILS}${documentId}/`,
    `${TEXT}${documentId}/`,
  ],
} as const;

/** What a derivative key says about the version it belongs to. */
export interface DerivativeKeyParts {
  readonly sequencer: string;
  /** The S3 version id; absent when the upload had none (the version is the sequencer). */
  readonly versionId?: string;
}

const SEGMENT = /^(?:thumbnails|text)\/[^/]+\/([0-9A-F]{32})(?:-(.+))?\.(?:webp|json)$/;

/**
 * The version a derivative key names, or undefined for a key this layout did not write (a key of an
 * older layout, or something an operator put there).
 */
export const parseDerivativeKey = (key: string): DerivativeKeyParts | undefined => {
  const match = SEGMENT.exec(key);
  if (!match?.[1]) return undefined;
  return { sequencer: match[1], ...(match[2] === undefined ? {} : { versionId: match[2] }) };
};
