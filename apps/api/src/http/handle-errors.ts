import type { ApiFailure } from '@wxh5/contracts';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { z } from 'zod';
import { isDatabaseUnavailable } from '../shared/database-unavailable';
import { SharedStateUnavailableError } from '../shared/shared-state-unavailable';
import { WechatError, WechatRefusedError, type WechatFailureKind } from '../shared/wechat-error';
import { ApiError } from '../shared/api-error';
import { CatalogReadOnlyError } from '../shared/catalog-read-only-error';

/** Errors thrown by koa-bodyparser / raw-body carry an HTTP status and a `type`. */
interface HttpLikeError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
  message?: string;
}

/** zlib's codes for a body that does not decompress (a Content-Encoding that lies about the bytes). */
const ZLIB_DATA_ERRORS = new Set(['Z_DATA_ERROR', 'Z_BUF_ERROR', 'Z_NEED_DICT', 'Z_STREAM_ERROR']);

function fromHttpLike(err: HttpLikeError & { code?: unknown }): ApiError | undefined {
  if (typeof err.code === 'string' && ZLIB_DATA_ERRORS.has(err.code)) {
    return new ApiError('invalid_request', 'The request body does not match its Content-Encoding.');
  }
  const status = err.status ?? err.statusCode;
  if (status === 413 || err.type === 'entity.too.large') {
    return new ApiError('payload_too_large', 'The request body is larger than this route accepts.');
  }
  if (status === 415) return new ApiError('unsupported_media_type', 'Send the body as application/json.');
  if (status === 400 && (err.type === 'entity.parse.failed' || err.message?.includes('JSON'))) {
    return new ApiError('invalid_json', 'The request body is not valid JSON.');
  }
  if (status === 404) return new ApiError('not_found', 'No such route.');
  if (status === 405) return new ApiError('method_not_allowed', 'This route does not take that method.');
  if (status !== undefined && status >= 400 && status < 500) {
    return new ApiError(
      'invalid_request',
      err.expose && err.message ? err.message : 'The request is invalid.',
    );
  }
  return undefined;
}

/**
 * The one mapping from a WeChat failure (shared/wechat-error.ts) to the envelope, for every client — JSON API and
 * Pay alike. Down (outcome unknown, try later) is 503 with Retry-After; a refusal or an untrustworthy answer is 502.
 */
const WECHAT_FAILURES = {
  unavailable: (err) =>
    new ApiError('wechat_unavailable', 'WeChat is not answering right now. Please try again shortly.', {
      cause: err,
      headers: { 'Retry-After': '5' },
    }),
  refused: (err) =>
    new ApiError(
      'wechat_error',
      err instanceof WechatRefusedError ? `WeChat refused it (${err.code}).` : 'WeChat refused it.',
      { cause: err },
    ),
  bad_response: (err) =>
    new ApiError('wechat_error', 'WeChat answered with an unexpected response.', { cause: err }),
} satisfies Record<WechatFailureKind, (err: WechatError) => ApiError>;

/** A zod error becomes a 400 whose message names the offending fields. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

/**
 * The one place that maps errors to HTTP: the envelope, a meaningful status, never a stack trace. Unknown errors
 * are logged with the request id and answered 500 `internal_error` — they are our bugs, not the client's input.
 */
export function handleErrors(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new ApiError('not_found', 'No such route.');
      }
    } catch (err) {
      let apiErr: ApiError;
      if (err instanceof ApiError) apiErr = err;
      else if (err instanceof z.ZodError) apiErr = new ApiError('invalid_request', describeZodError(err));
      else {
        apiErr =
          (err instanceof WechatError ? WECHAT_FAILURES[err.kind](err) : undefined) ??
          (err instanceof CatalogReadOnlyError
            ? new ApiError(
                'method_not_allowed',
                'The products come from the catalog this api was configured with, which it cannot change here: ' +
                  'manage them where they live.',
                { cause: err },
              )
            : undefined) ??
          (err instanceof SharedStateUnavailableError
            ? new ApiError('not_ready', 'A shared dependency is unavailable. Please try again shortly.', {
                cause: err,
              })
            : undefined) ??
          (isDatabaseUnavailable(err)
            ? new ApiError(
                'database_unavailable',
                'Our database is not answering right now. Please try again shortly.',
                { cause: err, headers: { 'Retry-After': '5' } },
              )
            : undefined) ??
          (typeof err === 'object' && err !== null ? fromHttpLike(err) : undefined) ??
          new ApiError('internal_error', 'Something went wrong on our side. Please try again.');
      }
      if (apiErr.status >= 500) {
        logger.error({ err, requestId: ctx.state.requestId, path: ctx.path }, 'request failed');
      } else {
        logger.info({ requestId: ctx.state.requestId, path: ctx.path, error: apiErr.slug }, apiErr.message);
      }
      const body: ApiFailure = { code: apiErr.code, error: apiErr.slug, message: apiErr.message };
      ctx.status = apiErr.status;
      ctx.set(apiErr.headers);
      ctx.body = body;
    }
  };
}
