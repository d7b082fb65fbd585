/**
 * Coalesce concurrent calls with the same key inside one process: while a call for `key` is running, later callers
 * get the same promise instead of starting their own.
 */
export function createSingleFlight() {
  const running = new Map<string, Promise<unknown>>();
  return function singleFlight<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const existing = running.get(key);
    if (existing) return existing as Promise<T>;
    const promise = fn().finally(() => {
      running.delete(key);
    });
    running.set(key, promise);
    return promise;
  };
}

export type SingleFlight = ReturnType<typeof createSingleFlight>;
