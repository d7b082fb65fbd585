// @vitest-environment node
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from './api-client';
import { ApiError } from './api-error';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

const routes = new Map<string, Handler>([
  ['GET /ok', (_req, res) => json(res, 200, { code: 0, data: { hello: 'world' } })],
  ['GET /echo', (req, res) => json(res, 200, { code: 0, data: { url: req.url } })],
  [
    'POST /echo',
    (req, res, body) =>
      json(res, 200, { code: 0, data: { body: JSON.parse(body), type: req.headers['content-type'] } }),
  ],
  [
    'GET /invalid-amount',
    (_req, res) =>
      json(res, 400, {
        code: 40006,
        error: 'invalid_amount',
        message: 'amountFen must be between 1 and 100000000',
      }),
  ],
  [
    'GET /unauthenticated',
    (_req, res) =>
      json(res, 401, { code: 40100, error: 'unauthenticated', message: 'Please sign in with WeChat.' }),
  ],
  [
    'GET /proxy-error',
    (_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body><h1>502 Bad Gateway</h1>nginx</body></html>');
    },
  ],
  ['GET /not-envelope', (_req, res) => json(res, 200, { hello: 'world', stack: 'Error: at secret.ts:1' })],
  [
    'GET /empty-message',
    (_req, res) => json(res, 500, { code: 50000, error: 'internal_error', message: '' }),
  ],
]);

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const handler = routes.get(`${req.method} ${new URL(req.url ?? '/', 'http://x').pathname}`);
      if (handler) handler(req, res, body);
      else json(res, 404, { code: 40400, error: 'not_found', message: 'No such route.' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function failureOf(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe('createApiClient', () => {
  it('returns the envelope data of a success', async () => {
    const client = createApiClient({ baseUrl });
    await expect(client.get('/ok')).resolves.toEqual({ hello: 'world' });
  });

  it('encodes query values and leaves out undefined ones', async () => {
    const client = createApiClient({ baseUrl });
    const data = await client.get<{ url: string }>('/echo', {
      url: 'https://m.example.com/a?b=1&c=2',
      cursor: undefined,
    });
    expect(data.url).toBe('/echo?url=https%3A%2F%2Fm.example.com%2Fa%3Fb%3D1%26c%3D2');
  });

  it('posts JSON', async () => {
    const client = createApiClient({ baseUrl });
    await expect(client.post('/echo', { amountFen: 1234 })).resolves.toEqual({
      body: { amountFen: 1234 },
      type: 'application/json',
    });
  });

  it("turns a failure envelope into an ApiError carrying the envelope's message and slug", async () => {
    const error = await failureOf(createApiClient({ baseUrl }).get('/invalid-amount'));
    expect(error.message).toBe('amountFen must be between 1 and 100000000');
    expect(error.slug).toBe('invalid_amount');
    expect(error.status).toBe(400);
    expect(error.kind).toBe('api');
  });

  it('calls the unauthenticated handler once for a 401 and still rejects', async () => {
    let calls = 0;
    const client = createApiClient({ baseUrl, onUnauthenticated: () => (calls += 1) });
    const error = await failureOf(client.get('/unauthenticated'));
    expect(error.isUnauthenticated).toBe(true);
    expect(calls).toBe(1);
    await failureOf(client.get('/invalid-amount'));
    expect(calls).toBe(1);
  });

  it('describes an HTML error page in words, never showing its body', async () => {
    const error = await failureOf(createApiClient({ baseUrl }).get('/proxy-error'));
    expect(error.message).toBe('The server is having trouble (HTTP 502). Please try again.');
    expect(error.message).not.toContain('<');
    expect(error.kind).toBe('bad_response');
  });

  it('refuses JSON that is not the envelope without echoing it', async () => {
    const error = await failureOf(createApiClient({ baseUrl }).get('/not-envelope'));
    expect(error.message).toBe('The server answered unexpectedly (HTTP 200). Please try again.');
    expect(error.message).not.toContain('secret');
  });

  it('does not show an empty message from the server', async () => {
    const error = await failureOf(createApiClient({ baseUrl }).get('/empty-message'));
    expect(error.message).toBe('The server is having trouble (HTTP 500). Please try again.');
  });

  it('says the server cannot be reached when nothing answers', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await failureOf(createApiClient({ baseUrl: `http://127.0.0.1:${port}` }).get('/ok'));
    expect(error.kind).toBe('network');
    expect(error.status).toBe(0);
    expect(error.message).toBe('Cannot reach the server. Check your connection and try again.');
  });
});
