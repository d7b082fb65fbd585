import { ApiError } from '../http/api-error';

/**
 * Await a keyv operation; a failure of the store behind it (Redis unreachable) becomes 503 `not_ready` instead of
 * a 500. The in-process store never fails.
 */
export async function guardCache<T>(operation: Promise<T>): Promise<T> {
  try {
    return await operation;
  } catch (err) {
    throw new ApiError('not_ready', 'A shared dependency is unavailable. Please try again shortly.', {
      cause: err,
    });
  }
}
