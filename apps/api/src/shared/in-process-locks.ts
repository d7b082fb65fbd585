import type { LockService } from '../deps';

/**
 * Named mutexes inside one process: callers of the same name run one after another (FIFO). `ttlMs` is not needed
 * here — a holder that dies takes the whole process with it.
 */
export function createInProcessLocks(): LockService {
  const tails = new Map<string, Promise<void>>();
  return {
    async withLock<T>(name: string, _ttlMs: number, fn: () => Promise<T>): Promise<T> {
      const previous = tails.get(name) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((resolve) => {
        release = resolve;
      });
      const tail = previous.then(() => mine);
      tails.set(name, tail);
      await previous;
      try {
        return await fn();
      } finally {
        release();
        if (tails.get(name) === tail) tails.delete(name);
      }
    },
  };
}
