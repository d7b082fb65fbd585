import { LRUCache } from 'lru-cache';

export interface BoundedStoreOptions {
  /** Upper bound on the stored values, counted as UTF-16 code units × 2 (what a JS string costs). */
  maxBytes: number;
  /** Milliseconds (monotonic); injected for tests. */
  now?: () => number;
}

/**
 * keyv's store for the in-process cache (no Redis): an LRU bounded in bytes whose entries expire with the TTL keyv
 * passes. keyv's default Map keeps an expired entry until someone reads that key again — an OAuth state nobody comes
 * back for lived for ever (60,000 unauthenticated redirects held 386 MB). Here the least recently used entry goes
 * when the bound is reached, and expired ones are purged by `purgeStale` (run on a timer by createCache).
 */
export type BoundedStore = Pick<
  LRUCache<string, string>,
  'get' | 'delete' | 'clear' | 'has' | 'purgeStale'
> & {
  set(key: string, value: unknown, ttlMs?: number): BoundedStore;
  readonly size: number;
  readonly calculatedSize: number;
};

export function createBoundedStore(options: BoundedStoreOptions): BoundedStore {
  const lru = new LRUCache<string, string>({
    maxSize: options.maxBytes,
    sizeCalculation: (value, key) => (value.length + key.length) * 2 || 1,
    ...(options.now ? { perf: { now: options.now } } : {}),
  });
  const store: BoundedStore = {
    get: (key) => lru.get(key),
    has: (key) => lru.has(key),
    delete: (key) => lru.delete(key),
    clear: () => lru.clear(),
    purgeStale: () => lru.purgeStale(),
    // keyv hands over its serialised record (a string) and the TTL in ms (undefined = none).
    set(key, value, ttlMs) {
      lru.set(key, typeof value === 'string' ? value : JSON.stringify(value), ttlMs ? { ttl: ttlMs } : {});
      return store;
    },
    get size() {
      return lru.size;
    },
    get calculatedSize() {
      return lru.calculatedSize;
    },
  };
  return store;
}
