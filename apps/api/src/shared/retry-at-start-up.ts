import type { Logger } from '../logger';
import { DependencyError, errorCodeOf, errorDetailOf } from './dependency-error';

export interface RetryAtStartUpOptions {
  /** Shown in the log and the final error, e.g. `PostgreSQL at 127.0.0.1:5432/wxh5`. */
  target: string;
  /** Give up once the next attempt would start later than this after the first one. */
  deadlineMs: number;
  logger: Logger;
  /** Whether an error is worth another attempt (a refused connection is; a wrong password or bad SQL is not). */
  retryable: (err: unknown) => boolean;
  /** Milliseconds; injected for tests. */
  now?: () => number;
}

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 5_000;

/** The delay before retry `retries` (0-based): 250 ms doubling up to 5 s. */
export function backoffMs(retries: number): number {
  return Math.min(FIRST_DELAY_MS * 2 ** Math.min(retries, 10), MAX_DELAY_MS);
}

/**
 * Run `attempt` until it succeeds, retrying a retryable failure with bounded exponential backoff until
 * `deadlineMs`, then throw a `DependencyError` that says what failed and why. A dependency still starting (a
 * container orchestrator starts everything at once) is waited for; one that is down for good ends the start-up
 * with a non-zero exit instead of a process that neither serves nor exits.
 */
export async function retryAtStartUp<T>(
  attempt: () => Promise<T>,
  options: RetryAtStartUpOptions,
): Promise<T> {
  const now = options.now ?? Date.now;
  const startedAt = now();
  for (let attempts = 1; ; attempts += 1) {
    try {
      return await attempt();
    } catch (err) {
      const errorCode = errorCodeOf(err);
      const detail = errorDetailOf(err);
      const delayMs = backoffMs(attempts - 1);
      const elapsedMs = now() - startedAt;
      if (!options.retryable(err) || elapsedMs + delayMs > options.deadlineMs) {
        throw new DependencyError(options.target, errorCode, detail, attempts, elapsedMs, { cause: err });
      }
      options.logger.warn(
        { dependency: options.target, errorCode, error: detail, attempt: attempts, retryInMs: delayMs },
        `${options.target} is not usable yet (${errorCode ?? detail}); retrying`,
      );
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
