/** A test "browser": fetch with `redirect: 'manual'` and a cookie jar (name → value; domains and paths ignored). */

export class CookieJar {
  readonly cookies = new Map<string, string>();

  /** Apply every Set-Cookie of a response: expired or emptied cookies are removed. */
  store(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((attribute) => {
        const [key = '', raw = ''] = attribute.split('=');
        const k = key.trim().toLowerCase();
        if (k === 'expires') return Date.parse(raw.trim()) <= Date.now();
        if (k === 'max-age') return Number(raw.trim()) <= 0;
        return false;
      });
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  set(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  delete(name: string): void {
    this.cookies.delete(name);
  }

  /** The `Cookie` request header for everything in the jar. */
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

export interface TestResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The `Location` header, if any. */
  location: string | undefined;
  json<T = any>(): T; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface RequestOptions {
  headers?: Record<string, string>;
  /** Sent as JSON (content-type application/json). */
  json?: unknown;
  /** Sent as is. */
  body?: string;
}

export interface HttpClient {
  readonly baseUrl: string;
  readonly jar: CookieJar;
  request(method: string, pathOrUrl: string, options?: RequestOptions): Promise<TestResponse>;
  get(pathOrUrl: string, options?: RequestOptions): Promise<TestResponse>;
  post(pathOrUrl: string, options?: RequestOptions): Promise<TestResponse>;
}

/** `pathOrUrl` is relative to `baseUrl` unless absolute; a `#fragment` is never sent (browsers don't). */
export function createHttpClient(baseUrl: string, jar = new CookieJar()): HttpClient {
  async function request(method: string, pathOrUrl: string, options: RequestOptions = {}) {
    const target = new URL(pathOrUrl, `${baseUrl}/`);
    target.hash = '';
    const headers: Record<string, string> = { ...options.headers };
    const cookie = jar.header();
    if (cookie && headers.cookie === undefined) headers.cookie = cookie;
    let body: string | undefined = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(target, {
      method,
      headers,
      redirect: 'manual',
      ...(body === undefined ? {} : { body }),
    });
    jar.store(response.headers);
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      text,
      location: response.headers.get('location') ?? undefined,
      json<T>(): T {
        return JSON.parse(text) as T;
      },
    } satisfies TestResponse;
  }
  return {
    baseUrl,
    jar,
    request,
    get: (pathOrUrl, options) => request('GET', pathOrUrl, options),
    post: (pathOrUrl, options) => request('POST', pathOrUrl, options),
  };
}
