// Reads a request body as UTF-8 text with a size limit. The Pay routes need the raw bytes (XML whatever the
// Content-Type says), the control API and the bridge parse JSON or forms from the same text.
import type { IncomingMessage } from 'node:http';

export class BodyTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`request body exceeds ${limitBytes} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

export class BodyNotUtf8Error extends Error {
  constructor() {
    super('request body is not valid UTF-8');
    this.name = 'BodyNotUtf8Error';
  }
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * With `strictUtf8`, invalid UTF-8 throws `BodyNotUtf8Error` (WeChat Pay refuses it) instead of being
 * decoded to U+FFFD replacement characters.
 */
export async function readRawBody(
  req: IncomingMessage,
  limitBytes = 256 * 1024,
  strictUtf8 = false,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > limitBytes) throw new BodyTooLargeError(limitBytes);
    chunks.push(buffer);
  }
  const bytes = Buffer.concat(chunks);
  if (!strictUtf8) return bytes.toString('utf8');
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    throw new BodyNotUtf8Error();
  }
}

/** JSON object body; anything else (bad JSON, arrays, scalars) yields null. */
export function parseJsonObject(text: string): Record<string, unknown> | null {
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
    return value as Record<string, unknown>;
  } catch {
    return null;
  }
}

export function parseForm(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(text)) out[key] = value;
  return out;
}
