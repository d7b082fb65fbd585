import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WechatBadResponseError, WechatRefusedError, WechatUnavailableError } from '../shared/wechat-error';
import { createWechatJsonClient } from './wechat-http';

/** A fake WeChat host answering from a script: each call takes the next answer (the last one repeats). */
interface Answer {
  status: number;
  body: string;
}
let server: Server | undefined;
let calls: string[] = [];

async function startHost(answers: Answer[]): Promise<string> {
  calls = [];
  server = createServer((req, res) => {
    calls.push(req.url ?? '');
    const answer = answers[Math.min(calls.length - 1, answers.length - 1)]!;
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
  server = undefined;
});

const json = (value: unknown, status = 200): Answer => ({ status, body: JSON.stringify(value) });
const client = (baseUrl: string) => createWechatJsonClient({ baseUrl, timeoutMs: 1000, retryDelayMs: 1 });
const SECRET = 'secret-value-that-must-not-leak';

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

describe('createWechatJsonClient', () => {
  it('returns the answer of a successful call', async () => {
    const host = await startHost([json({ access_token: 'T', expires_in: 7200 })]);
    await expect(client(host).get('/cgi-bin/token', { secret: SECRET })).resolves.toEqual({
      access_token: 'T',
      expires_in: 7200,
    });
    expect(calls).toHaveLength(1);
  });

  it('retries HTTP 5xx and errcode -1, then succeeds', async () => {
    const host = await startHost([
      json({}, 502),
      json({ errcode: -1, errmsg: 'system error' }),
      json({ ok: 1 }),
    ]);
    await expect(client(host).get('/sns/userinfo', {})).resolves.toEqual({ ok: 1 });
    expect(calls).toHaveLength(3);
  });

  it('gives up after three attempts with WechatUnavailableError naming the endpoint only', async () => {
    const host = await startHost([json({ errcode: -1, errmsg: 'system error' })]);
    const err = await failure(client(host).get('/cgi-bin/token', { secret: SECRET }));
    expect(err).toBeInstanceOf(WechatUnavailableError);
    expect(err).toMatchObject({ endpoint: '/cgi-bin/token', reason: 'busy', attempts: 3 });
    expect(String((err as Error).message)).not.toContain(SECRET);
    expect(calls).toHaveLength(3);
  });

  it('does not retry a business error and keeps its errcode', async () => {
    const host = await startHost([json({ errcode: 40013, errmsg: 'invalid appid, rid: x' })]);
    const err = await failure(client(host).get('/cgi-bin/token', { secret: SECRET }));
    expect(err).toBeInstanceOf(WechatRefusedError);
    expect(err).toMatchObject({ endpoint: '/cgi-bin/token', errcode: 40013 });
    expect(calls).toHaveLength(1);
  });

  it('does not retry an HTTP 4xx', async () => {
    const host = await startHost([json({}, 404)]);
    const err = await failure(client(host).get('/cgi-bin/token', {}));
    expect(err).toBeInstanceOf(WechatRefusedError);
    expect(err).toMatchObject({ errcode: undefined });
    expect(calls).toHaveLength(1);
  });

  it('treats a body that is not JSON as a WechatBadResponseError', async () => {
    const host = await startHost([{ status: 200, body: '<html>captive portal</html>' }]);
    await expect(client(host).get('/cgi-bin/token', {})).rejects.toBeInstanceOf(WechatBadResponseError);
  });

  it('retries a refused connection and then reports WeChat unavailable', async () => {
    const host = await startHost([json({})]);
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const err = await failure(client(host).get('/cgi-bin/token', { secret: SECRET }));
    expect(err).toBeInstanceOf(WechatUnavailableError);
    expect(err).toMatchObject({ reason: 'network', attempts: 3, detail: 'ECONNREFUSED' });
    expect(String((err as Error).message)).not.toContain(SECRET);
  });

  it('sends POST bodies as JSON', async () => {
    let received = '';
    server = createServer((req, res) => {
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (received += chunk));
      req.on('end', () => res.end(JSON.stringify({ access_token: 'S', expires_in: 7200 })));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const host = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await client(host).post(
      '/cgi-bin/stable_token',
      {},
      { grant_type: 'client_credential', force_refresh: false },
    );
    expect(JSON.parse(received)).toEqual({ grant_type: 'client_credential', force_refresh: false });
  });
});
