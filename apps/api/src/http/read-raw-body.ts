import type { IncomingMessage } from 'node:http';

export const NOTIFY_BODY_LIMIT_BYTES = 64 * 1024;

export type RawBodyResult =
  { ok: true; text: string } | { ok: false; reason: 'too_large' | 'not_utf8' | 'aborted'; prefix: string };

/**
 * Read a request body ourselves (the notify routes do not use koa-bodyparser: the exact bytes are what gets
 * verified and recorded). Stops reading past `limit` bytes; non-UTF-8 input is refused rather than guessed.
 */
export async function readRawBody(
  req: IncomingMessage,
  limit = NOTIFY_BODY_LIMIT_BYTES,
): Promise<RawBodyResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return { ok: false, reason: 'too_large', prefix: '' };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      size += buffer.length;
      if (size > limit) {
        const prefix = Buffer.concat(chunks).subarray(0, 4096).toString('utf8');
        req.resume();
        return { ok: false, reason: 'too_large', prefix };
      }
      chunks.push(buffer);
    }
  } catch {
    return { ok: false, reason: 'aborted', prefix: '' };
  }
  const bytes = Buffer.concat(chunks);
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { ok: false, reason: 'not_utf8', prefix: bytes.subarray(0, 4096).toString('latin1') };
  }
}
