/** Why a call to the api failed, in a form the page can branch on and a sentence it can show. */
export type ApiErrorKind = 'api' | 'network' | 'bad_response';

/**
 * One error type for every failed api call. `message` is a sentence for developers and logs (the envelope's
 * `message` when the api sent one), never raw JSON. `slug` is the envelope's stable `error` for code to branch on;
 * the page shows the catalogue's words for it (`describeError` in shared/i18n), never `message`.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly kind: ApiErrorKind;
  /** HTTP status; 0 when the request never got an answer. */
  readonly status: number;
  /** The envelope's `error` slug (`unauthenticated`, `invalid_amount`, …), or a local one for network/bad answers. */
  readonly slug: string;

  constructor(kind: ApiErrorKind, status: number, slug: string, message: string) {
    super(message);
    this.kind = kind;
    this.status = status;
    this.slug = slug;
  }

  get isUnauthenticated(): boolean {
    return this.status === 401 && this.slug === 'unauthenticated';
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}
