/** Waits between polls: starts at `initialMs`, grows by `factor`, never above `maxMs`; `attempts` polls in all. */
export function backoffDelays({
  initialMs = 1000,
  factor = 1.5,
  maxMs = 5000,
  attempts = 16,
}: { initialMs?: number; factor?: number; maxMs?: number; attempts?: number } = {}): number[] {
  const delays: number[] = [];
  let next = initialMs;
  for (let i = 1; i < attempts; i += 1) {
    delays.push(Math.round(Math.min(next, maxMs)));
    next *= factor;
  }
  return delays;
}

export type PollResult<T> =
  | { kind: 'done'; value: T }
  | { kind: 'gave_up'; value: T | undefined; lastError: unknown }
  | { kind: 'aborted' };

export interface PollOptions<T> {
  /** One request; a rejection that `isTransient` accepts is retried on the schedule, any other ends the poll. */
  load: (signal: AbortSignal) => Promise<T>;
  /** The value is final (e.g. an order that is no longer PENDING). */
  isDone: (value: T) => boolean;
  /** Every value loaded, final or not, in order. */
  onValue?: (value: T) => void;
  isTransient?: (error: unknown) => boolean;
  /** The waits between loads; its length + 1 is the number of loads (the cap). */
  delaysMs?: readonly number[];
  /** Injected for tests; must reject or resolve early when `signal` aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  signal: AbortSignal;
}

function sleepFor(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/**
 * Load until `isDone`, waiting `delaysMs` between loads, then give up (the caller offers "check again"). A
 * non-transient error rejects; aborting resolves `{kind: 'aborted'}`.
 */
export async function poll<T>({
  load,
  isDone,
  onValue,
  isTransient = () => false,
  delaysMs = backoffDelays(),
  sleep = sleepFor,
  signal,
}: PollOptions<T>): Promise<PollResult<T>> {
  let last: T | undefined;
  let lastError: unknown;
  for (let attempt = 0; attempt <= delaysMs.length; attempt += 1) {
    if (attempt > 0) await sleep(delaysMs[attempt - 1] ?? 0, signal);
    if (signal.aborted) return { kind: 'aborted' };
    try {
      const value = await load(signal);
      if (signal.aborted) return { kind: 'aborted' };
      last = value;
      lastError = undefined;
      onValue?.(value);
      if (isDone(value)) return { kind: 'done', value };
    } catch (error) {
      if (signal.aborted) return { kind: 'aborted' };
      if (!isTransient(error)) throw error;
      lastError = error;
    }
  }
  return { kind: 'gave_up', value: last, lastError };
}
