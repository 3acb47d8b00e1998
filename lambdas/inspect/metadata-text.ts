/** Longest title or author kept: they travel in the state machine's payload and the metadata item. */
export const MAX_METADATA_TEXT_LENGTH = 300;

/**
 * Normalizes a title or author found in a document: strings only, control characters dropped, runs of
 * whitespace collapsed, cut to {@link MAX_METADATA_TEXT_LENGTH} characters; undefined when nothing is left.
 */
export const cleanMetadataText = (value: unknown): string | undefined => {
  if (typeof value !== 'string') return undefined;
  const cleaned = value
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (cleaned === '') return undefined;
  return Array.from(cleaned).slice(0, MAX_METADATA_TEXT_LENGTH).join('');
};
