/**
 * The state the api instances share (the cache, the lock store: Redis when configured) could not be used, so the
 * request cannot go on safely now. Thrown below the HTTP layer (a WeChat client included, which must not throw
 * envelope errors); handleErrors answers it 503 `not_ready`.
 */
export class SharedStateUnavailableError extends Error {
  override readonly name: string = 'SharedStateUnavailableError';
  constructor(what: string, options?: { cause?: unknown }) {
    super(`shared state unavailable: ${what}`, options);
  }
}
