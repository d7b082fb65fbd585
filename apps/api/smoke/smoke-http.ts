import { apiFailureSchema } from '@wxh5/contracts';
import type { z } from 'zod';

/** Why a smoke step failed: the step's name, what was expected and what came back. */
export class SmokeError extends Error {
  override readonly name = 'SmokeError';
  constructor(
    readonly step: string,
    message: string,
  ) {
    super(`${step}: ${message}`);
  }
}

export interface SmokeResponse {
  status: number;
  location: string | undefined;
  text: string;
}

export interface SmokeHttp {
  /** One request without following redirects; cookies of the api's origin are kept and sent back. */
  request(
    method: 'GET' | 'POST',
    url: string,
    options?: { json?: unknown; headers?: Record<string, string> },
  ): Promise<SmokeResponse>;
  /** The cookie named `name`, if the api set it. */
  cookie(name: string): string | undefined;
}

/**
 * A tiny "browser": fetch with `redirect: 'manual'` and a cookie jar by name (the smoke talks to one api origin;
 * the emulator sets no cookies), so the OAuth round trip keeps its `wx_oauth` binding and receives the session.
 */
export function createSmokeHttp(): SmokeHttp {
  const cookies = new Map<string, string>();
  return {
    async request(method, url, options = {}) {
      const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
      if (cookies.size > 0)
        headers.cookie = [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
      if (options.json !== undefined) headers['content-type'] = 'application/json';
      let response: Response;
      try {
        response = await fetch(url, {
          method,
          headers,
          redirect: 'manual',
          ...(options.json === undefined ? {} : { body: JSON.stringify(options.json) }),
        });
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code ?? String(error);
        throw new SmokeError(`${method} ${url}`, `nothing answers there (${cause}); is the backend running?`);
      }
      for (const line of response.headers.getSetCookie()) {
        const pair = line.split(';', 1)[0] ?? '';
        const eq = pair.indexOf('=');
        if (eq <= 0) continue;
        const value = pair.slice(eq + 1).trim();
        const name = pair.slice(0, eq).trim();
        if (value === '' || /;\s*expires=Thu, 01 Jan 1970/i.test(line)) cookies.delete(name);
        else cookies.set(name, value);
      }
      return {
        status: response.status,
        location: response.headers.get('location') ?? undefined,
        text: await response.text(),
      };
    },
    cookie: (name) => cookies.get(name),
  };
}

function parseJson(step: string, response: SmokeResponse): unknown {
  try {
    return JSON.parse(response.text) as unknown;
  } catch {
    throw new SmokeError(step, `expected JSON, got HTTP ${response.status}: ${response.text.slice(0, 200)}`);
  }
}

/** The envelope's `data`, checked against the contract's schema; anything else is a `SmokeError` saying what came. */
export function expectData<S extends z.ZodType>(
  step: string,
  response: SmokeResponse,
  schema: S,
): z.infer<S> {
  const body = parseJson(step, response);
  const failure = apiFailureSchema.safeParse(body);
  if (failure.success) {
    throw new SmokeError(
      step,
      `the api answered HTTP ${response.status} ${failure.data.error}: ${failure.data.message}`,
    );
  }
  if (response.status < 200 || response.status > 299) {
    throw new SmokeError(step, `expected 2xx, got HTTP ${response.status}: ${response.text.slice(0, 200)}`);
  }
  const envelope = body as { code?: unknown; data?: unknown };
  if (envelope.code !== 0)
    throw new SmokeError(step, `not the api's envelope: ${response.text.slice(0, 200)}`);
  const parsed = schema.safeParse(envelope.data);
  if (!parsed.success) {
    throw new SmokeError(step, `data does not match the contract: ${parsed.error.message}`);
  }
  return parsed.data;
}

/** A failure envelope with this status and slug (e.g. 401 `unauthenticated`). */
export function expectFailure(step: string, response: SmokeResponse, status: number, slug: string): void {
  const failure = apiFailureSchema.safeParse(parseJson(step, response));
  if (!failure.success || response.status !== status || failure.data.error !== slug) {
    throw new SmokeError(
      step,
      `expected HTTP ${status} ${slug}, got HTTP ${response.status}: ${response.text}`,
    );
  }
}

/** A 302 and its Location. */
export function expectRedirect(step: string, response: SmokeResponse): string {
  if (response.status !== 302 || !response.location) {
    throw new SmokeError(
      step,
      `expected a 302 redirect, got HTTP ${response.status}: ${response.text.slice(0, 200)}`,
    );
  }
  return response.location;
}
