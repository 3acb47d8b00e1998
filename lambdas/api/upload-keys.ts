/**
 * Where uploads minted by `POST /uploads` go: under the pipeline's `incoming/` prefix (so they start it),
 * in a prefix of their own (so the API's write permission is no wider than this).
 */
export const UPLOAD_KEY_PREFIX = 'incoming/uploads/';

/**
 * The key of one minted upload: `incoming/uploads/<UTC date>/<uuid>/<file name>`. The random segment
 * keeps uploads of the same name apart; the name stays last and readable, since the pipeline and the
 * console show a document by its key's last segment. The name is NFC-normalized, so the same name
 * typed on two systems is one key.
 */
export const uploadKey = (filename: string, id: string, now: Date): string =>
  `${UPLOAD_KEY_PREFIX}${now.toISOString().slice(0, 10)}/${id}/${filename.normalize('NFC')}`;
