import { SharedStateUnavailableError } from './shared-state-unavailable';

/**
 * Await a keyv operation; a failure of the store behind it (Redis unreachable) becomes a
 * SharedStateUnavailableError (503 `not_ready` at the edge) instead of a 500. The in-process store never fails.
 */
export async function guardCache<T>(operation: Promise<T>): Promise<T> {
  try {
    return await operation;
  } catch (err) {
    throw new SharedStateUnavailableError('cache', { cause: err });
  }
}
