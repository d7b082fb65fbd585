import { ApiError } from './api-error';

export interface ApiClientOptions {
  /** Called once for every 401 `unauthenticated` answer, before the call rejects (e.g. start the WeChat login). */
  onUnauthenticated?: () => void;
  /** Injected for tests; defaults to the global `fetch`. */
  fetch?: typeof fetch;
  /** Prefix for every path; '' = same origin (the api serves the H5, and Vite proxies `/api` in dev). */
  baseUrl?: string;
}

export interface ApiClient {
  get<T>(path: string, query?: Record<string, string | undefined>, signal?: AbortSignal): Promise<T>;
  post<T>(path: string, body?: unknown, signal?: AbortSignal): Promise<T>;
}

const NETWORK_MESSAGE = 'Cannot reach the server. Check your connection and try again.';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unexpectedAnswer(status: number): ApiError {
  const what = status >= 500 ? 'The server is having trouble' : 'The server answered unexpectedly';
  return new ApiError('bad_response', status, 'bad_response', `${what} (HTTP ${status}). Please try again.`);
}

/**
 * Turn one HTTP answer into the envelope's `data` or an `ApiError` carrying the envelope's `message`. Exported
 * for tests. Anything that is not our envelope (an HTML error page from a proxy, a truncated body) becomes a
 * sentence with the HTTP status, never the raw body.
 */
export async function readEnvelope<T>(response: Response): Promise<T> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw unexpectedAnswer(response.status);
  }
  if (!isRecord(body) || typeof body.code !== 'number') throw unexpectedAnswer(response.status);
  if (body.code === 0 && response.ok && 'data' in body) return body.data as T;
  if (body.code !== 0 && typeof body.message === 'string' && body.message.trim() !== '') {
    const slug = typeof body.error === 'string' ? body.error : 'unknown_error';
    throw new ApiError('api', response.status, slug, body.message);
  }
  throw unexpectedAnswer(response.status);
}

/** A typed `fetch` for the api's `{code, data}` / `{code, error, message}` envelope. */
export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  const baseUrl = options.baseUrl ?? '';

  async function request<T>(path: string, init: RequestInit): Promise<T> {
    const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    let response: Response;
    try {
      response = await doFetch(baseUrl + path, {
        credentials: 'same-origin',
        ...init,
        headers: { Accept: 'application/json', ...(init.headers as Record<string, string> | undefined) },
      });
    } catch (error) {
      if (init.signal?.aborted) throw error;
      throw new ApiError('network', 0, 'network_error', NETWORK_MESSAGE);
    }
    try {
      return await readEnvelope<T>(response);
    } catch (error) {
      if (error instanceof ApiError && error.isUnauthenticated) options.onUnauthenticated?.();
      throw error;
    }
  }

  return {
    get<T>(path: string, query?: Record<string, string | undefined>, signal?: AbortSignal) {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) params.set(key, value);
      const search = params.toString();
      return request<T>(search ? `${path}?${search}` : path, {
        method: 'GET',
        ...(signal ? { signal } : {}),
      });
    },
    post<T>(path: string, body?: unknown, signal?: AbortSignal) {
      return request<T>(path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body ?? {}),
        ...(signal ? { signal } : {}),
      });
    },
  };
}
