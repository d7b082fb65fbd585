import type { Middleware } from 'koa';
import bodyParser from 'koa-bodyparser';
import { ApiError } from '../shared/api-error';

export const JSON_BODY_LIMIT = '16kb';

/**
 * JSON bodies only, ≤ 16 KB: anything else is a 400 (`invalid_json`), an oversized body a 413. The parsed body is
 * still unvalidated: handlers parse it with the contract schema.
 */
export function parseJsonBody(): Middleware {
  const parser = bodyParser({
    enableTypes: ['json'],
    jsonLimit: JSON_BODY_LIMIT,
    strict: true,
    onerror: (err) => {
      throw err;
    },
  });
  return async (ctx, next) => {
    if (ctx.request.length === 0 || (ctx.request.length === undefined && !ctx.request.type)) {
      throw new ApiError('invalid_json', 'This route takes a JSON body.');
    }
    if (!ctx.is('application/json')) {
      throw new ApiError('invalid_json', 'Send the body as application/json.');
    }
    await parser(ctx, next);
  };
}
