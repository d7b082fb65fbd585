import Keygrip from 'keygrip';
import { ROUTES } from '@wxh5/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_TTL_SECONDS } from '../src/http/session-cookie';
import { pollUntil, signSessionCookie } from './pay-kit';
import {
  TEST_ADMIN_TOKEN,
  TEST_COOKIE_KEY,
  createHttpClient,
  loginAs,
  pgExecute,
  randomSuffix,
  startTcpRelay,
  startTestApi,
  useFileEmulator,
  type TestApi,
  type TestResponse,
} from './support';

/**
 * Issue 12, finding 5: logging out revokes the session server-side (a captured cookie stops working), "log out
 * everywhere" and the admin's revoke refuse every session of the user on every instance, and the check answers 503
 * (never 401, never 500) while the database is away.
 */
const file = useFileEmulator();
let bobOpenId: string;
beforeAll(async () => {
  bobOpenId = await file.emulator.openIdOf('bob');
});

/** The parts of a `Cookie` header made by loginAs: `openId=<value>; openId.sig=<signature>`. */
function claimsOf(cookie: string) {
  const value = /^openId=([^;]+);/.exec(cookie)?.[1] ?? '';
  const [openId = '', expiresAt = '', sessionId = '', version = ''] = value.split('.');
  return { value, openId, expiresAt: Number(expiresAt), sessionId, version: Number(version) };
}

const userInfo = (api: TestApi, cookie: string) =>
  createHttpClient(api.url).get(ROUTES.getUserInfo, { headers: { cookie } });
const orders = (api: TestApi, cookie: string) =>
  createHttpClient(api.url).get(ROUTES.orders, { headers: { cookie } });
const logout = (api: TestApi, cookie: string, path: string = ROUTES.logout) =>
  createHttpClient(api.url).post(path, { headers: { cookie, origin: api.url } });
const adminRevoke = (api: TestApi, openId: string, token = TEST_ADMIN_TOKEN) =>
  createHttpClient(api.url).post(ROUTES.adminRevokeSessions(openId), {
    headers: { authorization: `Bearer ${token}` },
  });

function expect401(response: TestResponse) {
  expect(response.status, response.text).toBe(401);
  expect(response.json()).toMatchObject({ code: 40100, error: 'unauthenticated' });
}

describe.each(['sqlite', 'postgres'] as const)('sessions on %s', (database) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ emulatorUrl: file.emulator.url, database });
  });
  afterAll(async () => {
    await api.close();
  });

  it('gives every login a fresh session id of 128 random bits at the user’s session version', async () => {
    const first = claimsOf(await loginAs(api, file.emulator, 'alice'));
    const second = claimsOf(await loginAs(api, file.emulator, 'alice'));
    expect(first.openId).toBe(file.aliceOpenId);
    expect(first.sessionId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(first.sessionId, 'base64url')).toHaveLength(16);
    expect(second.sessionId).not.toBe(first.sessionId);
    const { session_version: version } = await api.deps.db
      .selectFrom('users')
      .select('session_version')
      .where('openid', '=', file.aliceOpenId)
      .executeTakeFirstOrThrow();
    expect(first.version).toBe(Number(version));
  });

  it('refuses a captured session cookie replayed after logout, and keeps the revocation until it expires', async () => {
    const captured = await loginAs(api, file.emulator, 'alice');
    const other = await loginAs(api, file.emulator, 'alice');
    expect((await userInfo(api, captured)).status).toBe(200);

    const out = await logout(api, captured);
    expect(out.status).toBe(200);
    expect(out.json()).toEqual({ code: 0, data: { loggedOut: true } });
    expect(out.headers.getSetCookie().some((line) => /^openId=;/.test(line))).toBe(true);

    // The browser forgot it; whoever kept a copy is refused everywhere.
    expect401(await userInfo(api, captured));
    expect401(await orders(api, captured));
    expect401(
      await createHttpClient(api.url).post(ROUTES.payWallet, {
        headers: { cookie: captured },
        json: { amountFen: 1 },
      }),
    );
    // Only that session: the user's other one still works.
    expect((await userInfo(api, other)).status).toBe(200);

    const { sessionId, expiresAt } = claimsOf(captured);
    expect(
      await api.deps.db
        .selectFrom('revoked_sessions')
        .selectAll()
        .where('session_id', '=', sessionId)
        .execute(),
    ).toEqual([{ session_id: sessionId, expires_at: new Date(expiresAt * 1000).toISOString() }]);

    // Logging the revoked cookie out again, or with no cookie at all, is harmless.
    expect((await logout(api, captured)).status).toBe(200);
    expect((await logout(api, '')).status).toBe(200);
  });

  it('logs out everywhere: every session of the user is refused, another user’s still works, a new login works', async () => {
    const phone = await loginAs(api, file.emulator, 'alice');
    const laptop = await loginAs(api, file.emulator, 'alice');
    const bob = await loginAs(api, file.emulator, 'bob');

    const out = await logout(api, laptop, ROUTES.logoutEverywhere);
    expect(out.status, out.text).toBe(200);
    expect(out.json()).toEqual({ code: 0, data: { loggedOut: true, everywhere: true } });
    expect(out.headers.get('cache-control')).toBe('no-store');
    expect(out.headers.getSetCookie().some((line) => /^openId=;/.test(line))).toBe(true);

    for (const cookie of [phone, laptop]) {
      expect401(await userInfo(api, cookie));
      expect401(await orders(api, cookie));
    }
    expect((await userInfo(api, bob)).status).toBe(200);
    expect((await orders(api, bob)).status).toBe(200);

    const again = await loginAs(api, file.emulator, 'alice');
    expect(claimsOf(again).version).toBe(claimsOf(phone).version + 1);
    expect((await userInfo(api, again)).json()).toMatchObject({ data: { openId: file.aliceOpenId } });
    expect((await orders(api, again)).status).toBe(200);
  });

  it('refuses log out everywhere without a session, from another site, and with GET', async () => {
    expect401(await logout(api, '', ROUTES.logoutEverywhere));
    const cookie = await loginAs(api, file.emulator, 'alice');
    const crossSite = await createHttpClient(api.url).post(ROUTES.logoutEverywhere, {
      headers: { cookie, origin: 'https://evil.example' },
    });
    expect(crossSite.status).toBe(403);
    expect(crossSite.json()).toMatchObject({ error: 'forbidden' });
    const form = await createHttpClient(api.url).post(ROUTES.logoutEverywhere, {
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1',
    });
    expect(form.status).toBe(403);
    const get = await createHttpClient(api.url).get(ROUTES.logoutEverywhere, { headers: { cookie } });
    expect(get.status).toBe(405);
    // None of them logged anyone out.
    expect((await userInfo(api, cookie)).status).toBe(200);
  });

  it('lets an admin revoke every session of a user (a lost phone)', async () => {
    const phone = await loginAs(api, file.emulator, 'alice');
    const laptop = await loginAs(api, file.emulator, 'alice');
    const bob = await loginAs(api, file.emulator, 'bob');
    const before = claimsOf(phone).version;

    const revoked = await adminRevoke(api, file.aliceOpenId);
    expect(revoked.status, revoked.text).toBe(200);
    expect(revoked.json()).toEqual({
      code: 0,
      data: { openId: file.aliceOpenId, sessionVersion: before + 1 },
    });
    expect401(await userInfo(api, phone));
    expect401(await orders(api, laptop));
    expect((await userInfo(api, bob)).status).toBe(200);
    expect((await userInfo(api, await loginAs(api, file.emulator, 'alice'))).status).toBe(200);
  });

  it('refuses the admin revoke without the admin token, for an unknown user and for a malformed openId', async () => {
    const cookie = await loginAs(api, file.emulator, 'alice');
    const wrongToken = await adminRevoke(api, file.aliceOpenId, 'not-the-admin-token');
    expect(wrongToken.status).toBe(401);
    expect(wrongToken.json()).toMatchObject({ error: 'admin_unauthorized' });
    const withSession = await createHttpClient(api.url).post(ROUTES.adminRevokeSessions(file.aliceOpenId), {
      headers: { cookie, origin: api.url },
    });
    expect(withSession.status).toBe(401);
    expect(withSession.json()).toMatchObject({ error: 'admin_unauthorized' });

    const unknown = await adminRevoke(api, 'oNobodyOfThisApp000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 40402, error: 'user_not_found' });
    const malformed = await adminRevoke(api, 'not an openid!');
    expect(malformed.status).toBe(400);
    expect(malformed.json()).toMatchObject({ error: 'invalid_request' });
    // Nothing of that touched alice.
    expect((await userInfo(api, cookie)).status).toBe(200);
  });

  it('refuses a pre-revocation cookie (<openid>.<expiresAt>, no session id), so users log in again once', async () => {
    await loginAs(api, file.emulator, 'alice');
    const value = `${file.aliceOpenId}.${Math.floor(Date.now() / 1000) + 3600}`;
    const signature = new Keygrip([TEST_COOKIE_KEY], 'sha256').sign(`openId=${value}`);
    const oldFormat = `openId=${value}; openId.sig=${signature}`;
    expect401(await userInfo(api, oldFormat));
    expect401(await orders(api, oldFormat));
    // Logging it out only clears it.
    const out = await logout(api, oldFormat);
    expect(out.status).toBe(200);
    expect(out.headers.getSetCookie().some((line) => /^openId=;/.test(line))).toBe(true);
  });

  it('refuses a cookie whose session id or version was changed, signed or not', async () => {
    const cookie = await loginAs(api, file.emulator, 'alice');
    const claims = claimsOf(cookie);
    const signature = /openId\.sig=([^;]+)/.exec(cookie)?.[1] ?? '';
    const unsigned = (value: string) => `openId=${value}; openId.sig=${signature}`;
    // Edited in place: the signature no longer matches.
    const otherSid = `${claims.sessionId.slice(0, -1)}${claims.sessionId.endsWith('A') ? 'B' : 'A'}`;
    expect401(await userInfo(api, unsigned(claims.value.replace(claims.sessionId, otherSid))));
    expect401(await userInfo(api, unsigned(claims.value.replace(/\.\d+$/, `.${claims.version + 1}`))));
    // Even signed with the real key (a forger who had it), a version that is not the user's is refused.
    const forged = (version: number) =>
      signSessionCookie({ openId: claims.openId, expiresAt: claims.expiresAt, version });
    expect401(await userInfo(api, forged(claims.version + 1)));
    expect401(await orders(api, forged(claims.version + 7)));
    // A session id that is too short, or a negative version, does not parse.
    expect401(
      await userInfo(
        api,
        signSessionCookie({ openId: claims.openId, expiresAt: claims.expiresAt, sessionId: 'short' }),
      ),
    );
    const negative = `${claims.openId}.${claims.expiresAt}.${claims.sessionId}.-1`;
    const negativeSig = new Keygrip([TEST_COOKIE_KEY], 'sha256').sign(`openId=${negative}`);
    expect401(await userInfo(api, `openId=${negative}; openId.sig=${negativeSig}`));
    // The untouched cookie still works.
    expect((await userInfo(api, cookie)).status).toBe(200);
  });

  it('keeps a logout’s revocation only until the cookie would have expired', async () => {
    const cookie = await loginAs(api, file.emulator, 'alice');
    const { expiresAt } = claimsOf(cookie);
    expect(expiresAt * 1000).toBeGreaterThan(Date.now() + (SESSION_TTL_SECONDS - 60) * 1000);
    await logout(api, cookie);
    const row = await api.deps.db
      .selectFrom('revoked_sessions')
      .select('expires_at')
      .where('session_id', '=', claimsOf(cookie).sessionId)
      .executeTakeFirstOrThrow();
    expect(Date.parse(row.expires_at)).toBe(expiresAt * 1000);
  });
});

describe('two api instances on one PostgreSQL schema', () => {
  const schema = `sessions_fleet_${randomSuffix()}`;
  let a: TestApi;
  let b: TestApi;
  beforeAll(async () => {
    await pgExecute(`create schema "${schema}"`);
    a = await startTestApi({ emulatorUrl: file.emulator.url, database: 'postgres', sharedSchema: schema });
    b = await startTestApi({ emulatorUrl: file.emulator.url, database: 'postgres', sharedSchema: schema });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await pgExecute(`drop schema if exists "${schema}" cascade`);
  });

  it('refuses on B, at once, a session logged out on A', async () => {
    const cookie = await loginAs(a, file.emulator, 'alice');
    expect((await userInfo(b, cookie)).status).toBe(200);
    expect((await logout(a, cookie)).status).toBe(200);
    expect401(await userInfo(b, cookie));
    expect401(await orders(b, cookie));
  });

  it('refuses on A every session of a user who logged out everywhere on B, or whom an admin revoked on B', async () => {
    const onA = await loginAs(a, file.emulator, 'alice');
    const onB = await loginAs(b, file.emulator, 'alice');
    const bob = await loginAs(a, file.emulator, 'bob');
    expect((await userInfo(a, onA)).status).toBe(200);
    expect((await logout(b, onB, ROUTES.logoutEverywhere)).status).toBe(200);
    expect401(await userInfo(a, onA));
    expect401(await orders(a, onB));
    expect((await userInfo(a, bob)).status).toBe(200);

    expect((await adminRevoke(b, bobOpenId)).status).toBe(200);
    expect401(await userInfo(a, bob));
  });
});

describe('a database that does not answer', () => {
  it('answers 503 database_unavailable to a session check and to a logout (not 401, not 500), then recovers', async () => {
    const relay = await startTcpRelay(5432);
    const api = await startTestApi({
      emulatorUrl: file.emulator.url,
      database: 'postgres',
      env: {
        DATABASE_URL: `postgres://postgres@127.0.0.1:${relay.port}/test?application_name=wxh5-sessions-relay`,
      },
    });
    try {
      const cookie = await loginAs(api, file.emulator, 'alice');
      expect((await userInfo(api, cookie)).status).toBe(200);

      relay.cut();
      for (const response of [
        await userInfo(api, cookie),
        await orders(api, cookie),
        await logout(api, cookie),
        await logout(api, cookie, ROUTES.logoutEverywhere),
        await adminRevoke(api, file.aliceOpenId),
      ]) {
        expect(response.status, response.text).toBe(503);
        expect(response.json()).toMatchObject({ error: 'database_unavailable' });
      }
      // The failed logout kept the cookie: the user can try again.
      await relay.restore();
      const after = await pollUntil(
        () => userInfo(api, cookie),
        (response) => response.status === 200,
      );
      expect(after.status).toBe(200);
      expect((await logout(api, cookie)).status).toBe(200);
      expect401(await userInfo(api, cookie));
    } finally {
      await api.close();
      await relay.close();
    }
  }, 30_000);
});
