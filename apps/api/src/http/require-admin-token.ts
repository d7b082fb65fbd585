import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import { ApiError, apiError } from '../shared/api-error';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time (over SHA-256 digests, so the length of the
 * token does not leak either). Without ADMIN_TOKEN the admin routes do not exist (404).
 */
export function requireAdminToken(adminToken: string | undefined): Middleware {
  const expected = adminToken === undefined ? undefined : digest(adminToken);
  return async (ctx, next) => {
    if (!expected) throw apiError('not_found', 'No such route.');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(ctx.get('authorization'));
    if (!match?.[1] || !timingSafeEqual(digest(match[1]), expected)) {
      throw new ApiError('admin_unauthorized', 'A valid admin bearer token is required.', {
        headers: { 'WWW-Authenticate': 'Bearer realm="wxh5-admin"' },
      });
    }
    await next();
  };
}
