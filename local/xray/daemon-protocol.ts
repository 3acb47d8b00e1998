/**
 * The X-Ray daemon's UDP protocol: each datagram is a header line, `{"format":"json","version":1}`, a
 * newline, and one segment document (a segment, or a subsegment sent on its own).
 */
export type Datagram =
  | { readonly ok: true; readonly document: string }
  | { readonly ok: false; readonly reason: string };

const isHeader = (line: string): boolean => {
  try {
    const header: unknown = JSON.parse(line);
    return (
      typeof header === 'object' &&
      header !== null &&
      (header as Record<string, unknown>).format === 'json' &&
      (header as Record<string, unknown>).version === 1
    );
  } catch {
    return false;
  }
};

/** Splits a datagram into its header and document; a wrong or missing header is refused, as the daemon does. */
export const parseDatagram = (message: Buffer): Datagram => {
  const text = message.toString('utf8');
  const newline = text.indexOf('\n');
  if (newline < 0)
    return { ok: false, reason: 'no header line: expected {"format":"json","version":1} and a newline' };
  if (!isHeader(text.slice(0, newline)))
    return { ok: false, reason: `unknown header ${JSON.stringify(text.slice(0, Math.min(newline, 80)))}` };
  const document = text.slice(newline + 1).trim();
  if (document.length === 0)
    return { ok: false, reason: 'the datagram has a header but no segment document' };
  return { ok: true, document };
};

/** A datagram as the X-Ray SDKs send it (for tests and for services that write their own segments). */
export const formatDatagram = (document: string): Buffer =>
  Buffer.from(`{"format":"json","version":1}\n${document}`);
