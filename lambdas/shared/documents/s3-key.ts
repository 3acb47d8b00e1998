/**
 * Decodes an object key as it arrives in an S3 event notification. S3 form-encodes keys there:
 * a space becomes `+`, and every other reserved byte is percent-encoded (a literal `+` is `%2B`).
 * So `+` must become a space first, and only then is the key percent-decoded.
 */
export const decodeS3EventKey = (encoded: string): string => decodeURIComponent(encoded.replace(/\+/g, ' '));

/**
 * Encodes a key the way S3 does in event notifications (the inverse of {@link decodeS3EventKey}).
 * Used by the local notification emitter and by tests to build AWS-shaped events.
 */
export const encodeS3EventKey = (key: string): string =>
  encodeURIComponent(key)
    .replace(/%20/g, '+')
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%2F/g, '/');
