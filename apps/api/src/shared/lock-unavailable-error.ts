import { SharedStateUnavailableError } from './shared-state-unavailable';

/** The lock store (Redis) could not be reached: the caller cannot know whether another instance holds the lock. */
export class LockUnavailableError extends SharedStateUnavailableError {
  override readonly name = 'LockUnavailableError';
  constructor(
    readonly lockName: string,
    options?: { cause?: unknown },
  ) {
    super(`lock store for "${lockName}"`, options);
  }
}
