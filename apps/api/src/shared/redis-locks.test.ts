import { randomBytes } from 'node:crypto';
import { createClient, type RedisClientType } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInProcessLocks } from './in-process-locks';
import { LockTimeoutError } from './lock-timeout-error';
import { createRedisLocks } from './redis-locks';

let a: RedisClientType;
let b: RedisClientType;
beforeAll(async () => {
  a = createClient({ url: 'redis://127.0.0.1:6379' });
  b = createClient({ url: 'redis://127.0.0.1:6379' });
  await Promise.all([a.connect(), b.connect()]);
});
afterAll(async () => {
  await Promise.all([a.close(), b.close()]);
});

const prefix = () => `locks-test-${randomBytes(6).toString('hex')}::`;

describe('redis locks', () => {
  it('never lets two holders of one name overlap, across two "instances"', async () => {
    const keyPrefix = prefix();
    const first = createRedisLocks(a, { keyPrefix, pollMs: 2 });
    const second = createRedisLocks(b, { keyPrefix, pollMs: 2 });
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? first : second).withLock('x', 5000, async () => {
          active += 1;
          maxActive = Math.max(maxActive, active);
          await new Promise((resolve) => setTimeout(resolve, 2));
          active -= 1;
          runs += 1;
        }),
      ),
    );
    expect(runs).toBe(20);
    expect(maxActive).toBe(1);
    expect(await a.exists(`${keyPrefix}lock:x`)).toBe(0);
  });

  it('does not release a lock that expired and was taken by someone else', async () => {
    const keyPrefix = prefix();
    const slow = createRedisLocks(a, { keyPrefix });
    const other = createRedisLocks(b, { keyPrefix, pollMs: 5 });
    let releaseSlow!: () => void;
    const slowDone = slow.withLock('y', 50, () => new Promise<void>((resolve) => (releaseSlow = resolve)));
    // The slow holder's 50 ms lease runs out; the other instance takes the lock and holds it.
    let releaseOther!: () => void;
    let otherHolds!: () => void;
    const holding = new Promise<void>((resolve) => (otherHolds = resolve));
    const otherDone = other.withLock('y', 5000, () => {
      otherHolds();
      return new Promise<void>((resolve) => (releaseOther = resolve));
    });
    await holding;
    releaseSlow();
    await slowDone;
    expect(await a.exists(`${keyPrefix}lock:y`)).toBe(1);
    releaseOther();
    await otherDone;
    expect(await a.exists(`${keyPrefix}lock:y`)).toBe(0);
  });

  it('gives up with LockTimeoutError after the wait limit', async () => {
    const keyPrefix = prefix();
    const holder = createRedisLocks(a, { keyPrefix });
    const waiter = createRedisLocks(b, { keyPrefix, maxWaitMs: 50, pollMs: 5 });
    let release!: () => void;
    let held!: () => void;
    const isHeld = new Promise<void>((resolve) => (held = resolve));
    const holding = holder.withLock('z', 5000, () => {
      held();
      return new Promise<void>((resolve) => (release = resolve));
    });
    await isHeld;
    await expect(waiter.withLock('z', 5000, () => Promise.resolve())).rejects.toBeInstanceOf(
      LockTimeoutError,
    );
    release();
    await holding;
  });
});

describe('in-process locks', () => {
  it('runs holders of one name one after another and frees the name', async () => {
    const locks = createInProcessLocks();
    const order: string[] = [];
    await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        locks.withLock('n', 1000, async () => {
          order.push(`${name}:in`);
          await new Promise((resolve) => setTimeout(resolve, 1));
          order.push(`${name}:out`);
        }),
      ),
    );
    expect(order).toEqual(['a:in', 'a:out', 'b:in', 'b:out', 'c:in', 'c:out']);
  });

  it('releases the lock when the holder throws', async () => {
    const locks = createInProcessLocks();
    await expect(locks.withLock('n', 1000, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(locks.withLock('n', 1000, () => Promise.resolve(7))).resolves.toBe(7);
  });
});
