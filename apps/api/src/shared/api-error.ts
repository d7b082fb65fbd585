import { API_ERRORS, type ApiErrorSlug } from '@wxh5/contracts';

/**
 * The one error type handlers throw for anything a client should see. `handleErrors` maps it to the envelope
 * `{code, error, message}` with the slug's HTTP status; anything else becomes a logged `internal_error`.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly code: number;

  constructor(
    readonly slug: ApiErrorSlug,
    message: string,
    options?: { cause?: unknown; headers?: Record<string, string> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = API_ERRORS[slug].status;
    this.code = API_ERRORS[slug].code;
    this.headers = options?.headers ?? {};
  }

  readonly headers: Record<string, string>;
}

/** The one factory: `apiError('invalid_amount', 'amountFen must be an integer')`. */
export function apiError(slug: ApiErrorSlug, message: string, cause?: unknown): ApiError {
  return new ApiError(slug, message, cause === undefined ? undefined : { cause });
}
