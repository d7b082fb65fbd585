import { randomBytes } from 'node:crypto';
import type { RedisClientType } from 'redis';
import type { LockService } from '../deps';
import { createInProcessLocks } from './in-process-locks';
import { LockTimeoutError } from './lock-timeout-error';
import { LockUnavailableError } from './lock-unavailable-error';

/** Delete the key only if it still holds our token: a holder whose lock expired never frees somebody else's. */
const RELEASE_SCRIPT = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;

export interface RedisLocksOptions {
  /** Prefix of every lock key (tests use a random one). */
  keyPrefix: string;
  /** How long a caller waits for a lock before giving up; default 2 × ttlMs, at least 1 s. */
  maxWaitMs?: number;
  /** Poll interval while waiting (a little jitter is added). */
  pollMs?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Locks shared by every api instance: `SET key token NX PX ttl`, released by a token-checked Lua script. Callers
 * in the same process first queue on an in-process mutex, so one process polls Redis with at most one waiter per
 * lock name.
 */
export function createRedisLocks(
  client: Pick<RedisClientType, 'set' | 'eval'>,
  options: RedisLocksOptions,
): LockService {
  const local = createInProcessLocks();
  const pollMs = options.pollMs ?? 20;

  async function acquire(key: string, token: string, ttlMs: number, lockName: string): Promise<void> {
    const maxWaitMs = options.maxWaitMs ?? Math.max(1000, ttlMs * 2);
    const started = Date.now();
    for (;;) {
      let ok: string | null;
      try {
        ok = await client.set(key, token, { condition: 'NX', expiration: { type: 'PX', value: ttlMs } });
      } catch (err) {
        throw new LockUnavailableError(lockName, { cause: err });
      }
      if (ok === 'OK') return;
      const waited = Date.now() - started;
      if (waited >= maxWaitMs) throw new LockTimeoutError(lockName, waited);
      await sleep(pollMs + Math.floor(Math.random() * pollMs));
    }
  }

  return {
    withLock<T>(name: string, ttlMs: number, fn: () => Promise<T>): Promise<T> {
      return local.withLock(name, ttlMs, async () => {
        const key = `${options.keyPrefix}lock:${name}`;
        const token = randomBytes(16).toString('hex');
        await acquire(key, token, ttlMs, name);
        try {
          return await fn();
        } finally {
          await client.eval(RELEASE_SCRIPT, { keys: [key], arguments: [token] }).catch(() => undefined);
        }
      });
    },
  };
}
