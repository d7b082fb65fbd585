import { describe, expect, it } from 'vitest';
import { backoffDelays, poll } from './poll';

/** A sleep that records the waits and returns at once: the schedule is asserted, not the clock. */
function recordingSleep() {
  const waits: number[] = [];
  return { waits, sleep: (ms: number) => (waits.push(ms), Promise.resolve()) };
}

function sequence<T>(values: (T | Error)[]) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    load: () => {
      const value = values[Math.min(calls, values.length - 1)]!;
      calls += 1;
      return value instanceof Error ? Promise.reject(value) : Promise.resolve(value);
    },
  };
}

class Transient extends Error {}

describe('backoffDelays', () => {
  it('grows by the factor and never exceeds the cap', () => {
    expect(backoffDelays({ initialMs: 1000, factor: 2, maxMs: 5000, attempts: 6 })).toEqual([
      1000, 2000, 4000, 5000, 5000,
    ]);
  });

  it('bounds the default schedule to about a minute', () => {
    const delays = backoffDelays();
    const total = delays.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(30_000);
    expect(total).toBeLessThan(90_000);
    expect(Math.max(...delays)).toBe(5000);
  });
});

describe('poll', () => {
  it('stops as soon as the value is final and reports every value seen', async () => {
    const source = sequence(['PENDING', 'PENDING', 'PAID', 'PAID']);
    const { waits, sleep } = recordingSleep();
    const seen: string[] = [];
    const result = await poll({
      load: source.load,
      isDone: (s) => s !== 'PENDING',
      onValue: (s) => seen.push(s),
      delaysMs: [100, 200, 300, 400],
      sleep,
      signal: new AbortController().signal,
    });
    expect(result).toEqual({ kind: 'done', value: 'PAID' });
    expect(seen).toEqual(['PENDING', 'PENDING', 'PAID']);
    expect(waits).toEqual([100, 200]);
    expect(source.calls).toBe(3);
  });

  it('gives up after the capped number of loads with the last value', async () => {
    const source = sequence(['PENDING']);
    const { waits, sleep } = recordingSleep();
    const result = await poll({
      load: source.load,
      isDone: (s) => s !== 'PENDING',
      delaysMs: [10, 20, 30],
      sleep,
      signal: new AbortController().signal,
    });
    expect(result).toEqual({ kind: 'gave_up', value: 'PENDING', lastError: undefined });
    expect(source.calls).toBe(4);
    expect(waits).toEqual([10, 20, 30]);
  });

  it('keeps polling through transient errors', async () => {
    const source = sequence<string>([new Transient('502'), new Transient('offline'), 'PAID']);
    const { sleep } = recordingSleep();
    const result = await poll({
      load: source.load,
      isDone: (s) => s !== 'PENDING',
      isTransient: (e) => e instanceof Transient,
      delaysMs: [1, 1, 1],
      sleep,
      signal: new AbortController().signal,
    });
    expect(result).toEqual({ kind: 'done', value: 'PAID' });
  });

  it('rejects at once on an error that is not transient', async () => {
    const source = sequence<string>([new Error('404 order not found'), 'PAID']);
    const { sleep } = recordingSleep();
    await expect(
      poll({
        load: source.load,
        isDone: () => true,
        isTransient: (e) => e instanceof Transient,
        delaysMs: [1, 1],
        sleep,
        signal: new AbortController().signal,
      }),
    ).rejects.toThrow('404 order not found');
    expect(source.calls).toBe(1);
  });

  it('stops loading once aborted', async () => {
    const controller = new AbortController();
    const source = sequence(['PENDING']);
    const result = await poll({
      load: source.load,
      isDone: () => false,
      onValue: () => controller.abort(),
      delaysMs: [1, 1, 1],
      sleep: () => Promise.resolve(),
      signal: controller.signal,
    });
    expect(result).toEqual({ kind: 'aborted' });
    expect(source.calls).toBe(1);
  });
});
