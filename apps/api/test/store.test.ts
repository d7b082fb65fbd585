import Keyv from 'keyv';
import { createKeyv } from '@keyv/redis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../src/store/database';
import { createUserOAuthTokenStore } from '../src/users/oauth-token-store';
import { createUserRepository, type UserRepository } from '../src/users/user-repository';
import { createOAuthStateStore } from '../src/users/oauth-state-store';
import {
  TEST_REDIS_URL,
  createTestClock,
  randomSuffix,
  startEmulator,
  startTestApi,
  type TestApi,
  type TestEmulator,
} from './support';

let emulator: TestEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.close();
});

const T1 = '2026-01-02T03:04:05.000Z';
const T2 = '2026-01-03T03:04:05.000Z';
const OPENID = 'oTestOpenId000000000000000001';

describe.each(['sqlite', 'postgres'] as const)('users on %s', (database) => {
  let api: TestApi;
  let users: UserRepository;
  beforeEach(async () => {
    api = await startTestApi({ emulatorUrl: emulator.url, database });
    users = createUserRepository(api.deps.db);
  });
  afterEach(async () => {
    await api.close();
  });

  it('inserts a new user and finds it by openid', async () => {
    const user = await users.upsert(
      {
        openId: OPENID,
        unionId: undefined,
        scope: 'snsapi_userinfo',
        nickname: 'Alice 王',
        avatarUrl: 'https://a/0',
      },
      T1,
    );
    expect(user).toEqual({
      openId: OPENID,
      unionId: undefined,
      nickname: 'Alice 王',
      avatarUrl: 'https://a/0',
      scope: 'snsapi_userinfo',
      sessionVersion: 0,
      createdAt: T1,
      updatedAt: T1,
    });
    expect(await users.findByOpenId(OPENID)).toEqual(user);
  });

  it('answers undefined for an unknown openid', async () => {
    expect(await users.findByOpenId('oUnknown')).toBeUndefined();
  });

  it('stores no profile for a base-only user', async () => {
    const user = await users.upsert(
      { openId: OPENID, unionId: undefined, scope: 'snsapi_base', nickname: 'ignored', avatarUrl: 'ignored' },
      T1,
    );
    expect(user).toMatchObject({ nickname: '', avatarUrl: '', scope: 'snsapi_base' });
  });

  it('keeps the profile, scope and unionid when a userinfo user later logs in with snsapi_base', async () => {
    await users.upsert(
      {
        openId: OPENID,
        unionId: 'uUnion1',
        scope: 'snsapi_userinfo',
        nickname: 'Alice',
        avatarUrl: 'https://a/0',
      },
      T1,
    );
    const user = await users.upsert(
      { openId: OPENID, unionId: undefined, scope: 'snsapi_base', nickname: '', avatarUrl: '' },
      T2,
    );
    expect(user).toMatchObject({
      nickname: 'Alice',
      avatarUrl: 'https://a/0',
      scope: 'snsapi_userinfo',
      unionId: 'uUnion1',
      createdAt: T1,
      updatedAt: T2,
    });
  });

  it('refreshes the profile on a later userinfo login', async () => {
    await users.upsert(
      { openId: OPENID, unionId: undefined, scope: 'snsapi_base', nickname: '', avatarUrl: '' },
      T1,
    );
    const user = await users.upsert(
      {
        openId: OPENID,
        unionId: undefined,
        scope: 'snsapi_userinfo',
        nickname: 'New',
        avatarUrl: 'https://b/0',
      },
      T2,
    );
    expect(user).toMatchObject({ nickname: 'New', avatarUrl: 'https://b/0', scope: 'snsapi_userinfo' });
  });

  it('keeps one row per openid under concurrent upserts', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        users.upsert(
          { openId: OPENID, unionId: undefined, scope: 'snsapi_userinfo', nickname: `n${i}`, avatarUrl: '' },
          T1,
        ),
      ),
    );
    const rows = await api.deps.db.selectFrom('users').select('openid').execute();
    expect(rows).toEqual([{ openid: OPENID }]);
  });

  it('applies migrations idempotently', async () => {
    await migrateToLatest(api.deps.db);
    const rows = await api.deps.db.selectFrom('users').selectAll().execute();
    expect(rows).toEqual([]);
  });
});

describe.each(['in-process', 'redis'] as const)('OAuth state and user tokens in a %s cache', (kind) => {
  let cache: Keyv;
  beforeEach(() => {
    const namespace = `store-test-${randomSuffix()}`;
    cache = kind === 'redis' ? createKeyv(TEST_REDIS_URL, { namespace }) : new Keyv({ namespace });
  });
  afterEach(async () => {
    await cache.clear();
    await cache.disconnect();
  });

  it('hands a state out exactly once, even to concurrent takers', async () => {
    const states = createOAuthStateStore({ cache, now: Date.now });
    const nonce = states.createBrowserNonce();
    const state = await states.create({
      callback: 'http://127.0.0.1/',
      scope: 'snsapi_base',
      browserNonce: nonce,
    });
    expect(state).toMatch(/^[A-Za-z0-9]{32}$/);
    const results = await Promise.all(Array.from({ length: 10 }, () => states.take(state, nonce)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => r.ok)).toMatchObject({
      record: { callback: 'http://127.0.0.1/', scope: 'snsapi_base' },
    });
  });

  it('refuses a state presented with another browser nonce and keeps it for the right browser', async () => {
    const states = createOAuthStateStore({ cache, now: Date.now });
    const nonce = states.createBrowserNonce();
    const state = await states.create({
      callback: 'http://127.0.0.1/',
      scope: 'snsapi_base',
      browserNonce: nonce,
    });
    expect(await states.take(state, states.createBrowserNonce())).toEqual({
      ok: false,
      reason: 'other_browser',
    });
    expect(await states.take(state, undefined)).toEqual({ ok: false, reason: 'other_browser' });
    expect((await states.take(state, nonce)).ok).toBe(true);
  });

  it('expires a state by the injected clock', async () => {
    const clock = createTestClock();
    const states = createOAuthStateStore({ cache, now: clock.now });
    const nonce = states.createBrowserNonce();
    const state = await states.create({
      callback: 'http://127.0.0.1/',
      scope: 'snsapi_base',
      browserNonce: nonce,
    });
    clock.advance(10 * 60 * 1000 + 1);
    expect(await states.take(state, nonce)).toEqual({ ok: false, reason: 'expired' });
  });

  it('keeps each user’s OAuth tokens under their own openid', async () => {
    const tokens = createUserOAuthTokenStore(cache);
    const a = { accessToken: 'A', refreshToken: 'RA', scopes: ['snsapi_base'], accessTokenExpiresAt: 1 };
    const b = { accessToken: 'B', refreshToken: 'RB', scopes: ['snsapi_userinfo'], accessTokenExpiresAt: 2 };
    await tokens.save('oA', a);
    await tokens.save('oB', b);
    expect(await tokens.load('oA')).toEqual(a);
    expect(await tokens.load('oB')).toEqual(b);
    await tokens.remove('oA');
    expect(await tokens.load('oA')).toBeUndefined();
  });
});
