import { describe, expect, it } from 'vitest';
import { uploadTicketSchema } from '../../lambdas/api/upload-schemas';
import { useFreshCloudSession, waitForTerminal } from '../support/local-cloud-session';
import { readSampleDocument } from '../support/sample-docs';

/**
 * A browser's upload through the local cloud: the query API mints a presigned POST, the page (on
 * another loopback origin, like the console) preflights and POSTs the form straight to S3, and the
 * upload runs through the whole pipeline.
 */

const BUDGET_MS = 90_000;
const PAGE_ORIGIN = 'http://127.0.0.1:5173';

const session = useFreshCloudSession('browser-upload');

describe('a browser upload through a presigned POST', () => {
  it('reaches PROCESSED under the key the API chose', async () => {
    // Prepare
    const pdf = await readSampleDocument('report-text-layer.pdf');
    const minted = await fetch(new URL('uploads', session.cloud.apiUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        filename: 'Annual report.pdf',
        contentType: 'application/pdf',
        size: pdf.length,
      }),
    });
    expect(minted.status).toBe(200);
    const ticket = uploadTicketSchema.parse(await minted.json());
    const form = new FormData();
    for (const [name, value] of Object.entries(ticket.fields)) form.append(name, value);
    form.append('file', new Blob([pdf], { type: 'application/pdf' }), 'Annual report.pdf');

    // Act
    const preflight = await fetch(ticket.url, {
      method: 'OPTIONS',
      headers: { Origin: PAGE_ORIGIN, 'Access-Control-Request-Method': 'POST' },
    });
    const posted = await fetch(ticket.url, { method: 'POST', body: form, headers: { Origin: PAGE_ORIGIN } });
    const document = await waitForTerminal(session, ticket.documentId, { deadline: Date.now() + BUDGET_MS });

    // Assess
    expect(ticket.url).toBe(`${session.cloud.endpoint}/${session.uploadsBucket}`);
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(PAGE_ORIGIN);
    expect(posted.status).toBe(204);
    expect(posted.headers.get('access-control-allow-origin')).toBe(PAGE_ORIGIN);
    expect(document).toMatchObject({
      status: 'PROCESSED',
      bucket: session.uploadsBucket,
      key: ticket.key,
      size: pdf.length,
      type: 'pdf',
    });
    expect(document.original?.filename).toBe('Annual report.pdf');
  });
});
