/** A lock could not be taken within its wait limit (another holder kept it, or Redis is unreachable). */
export class LockTimeoutError extends Error {
  override readonly name = 'LockTimeoutError';
  constructor(
    readonly lockName: string,
    readonly waitedMs: number,
  ) {
    super(`could not take lock "${lockName}" within ${waitedMs} ms`);
  }
}
