import type { UploadTicket } from '../../shared/api';

/** S3 refused the upload (policy, size, signature) or could not be reached (`status` 0). */
export class UploadError extends Error {
  override readonly name = 'UploadError';

  constructor(
    readonly status: number,
    /** S3's error code (`EntityTooLarge`, `AccessDenied`, …) when it sent one. */
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** S3's XML error body, read as text (never as HTML). */
const s3Error = (status: number, text: string): UploadError => {
  const xml = new DOMParser().parseFromString(text, 'application/xml');
  const code = xml.querySelector('Error > Code')?.textContent ?? undefined;
  const message = xml.querySelector('Error > Message')?.textContent ?? undefined;
  return new UploadError(
    status,
    code,
    code ? `S3 refused the upload: ${code}${message ? ` (${message})` : ''}` : `S3 answered HTTP ${status}`,
  );
};

/**
 * Uploads one file to S3 with a presigned POST: the ticket's fields first, the file last, as S3
 * requires. XMLHttpRequest, not fetch, because only it reports upload progress.
 *
 * @param onProgress bytes sent so far and the total
 */
export const postToS3 = (
  ticket: UploadTicket,
  file: Blob,
  onProgress: (sent: number, total: number) => void,
  signal?: AbortSignal,
): Promise<void> =>
  new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(ticket.fields)) form.append(name, value);
    form.append('file', file);
    const request = new XMLHttpRequest();
    request.open('POST', ticket.url);
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    });
    request.addEventListener('load', () => {
      if (request.status >= 200 && request.status < 300) resolve();
      else reject(s3Error(request.status, request.responseText));
    });
    // A refused CORS preflight looks the same to the page as a network failure.
    request.addEventListener('error', () =>
      reject(
        new UploadError(
          0,
          undefined,
          'the upload could not reach S3, or S3 does not allow this page’s origin (CORS)',
        ),
      ),
    );
    request.addEventListener('abort', () => reject(new DOMException('upload cancelled', 'AbortError')));
    signal?.addEventListener('abort', () => request.abort(), { once: true });
    request.send(form);
  });
