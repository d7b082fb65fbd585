import { z } from 'zod';

export const oauthScopeSchema = z.enum(['snsapi_base', 'snsapi_userinfo']);
export type OAuthScope = z.infer<typeof oauthScopeSchema>;

/** `GET /api/wechat/redirect?callback=<absolute url>&scope=…` (the origin allow-list is checked by the api). */
export const redirectQuerySchema = z.object({
  callback: z.url({ protocol: /^https?$/ }).max(2048),
  scope: oauthScopeSchema.default('snsapi_base'),
});
export type RedirectQuery = z.infer<typeof redirectQuerySchema>;

/** WeChat's `state`: ≤ 128 chars of [A-Za-z0-9]. */
export const oauthStateSchema = z.string().regex(/^[A-Za-z0-9]{1,128}$/);

/** `GET /api/wechat/getOpenId?code=&state=`; no `code` means the user declined. */
export const getOpenIdQuerySchema = z.object({
  code: z.string().min(1).max(512).optional(),
  state: oauthStateSchema,
});
export type GetOpenIdQuery = z.infer<typeof getOpenIdQuerySchema>;

/** `GET /api/wechat/getUserInfo` → data. nickname/avatarUrl are empty for snsapi_base-only users. */
export const userInfoSchema = z.object({
  openId: z.string(),
  nickname: z.string(),
  avatarUrl: z.string(),
  scope: oauthScopeSchema,
});
export type UserInfo = z.infer<typeof userInfoSchema>;

/** An openid as WeChat issues them (28 characters today), as the api accepts it in a path. */
export const openIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/);

/** `POST /api/wechat/logout` → data. The session of the cookie sent is revoked, not only forgotten by the browser. */
export const logoutResultSchema = z.object({ loggedOut: z.literal(true) });
export type LogoutResult = z.infer<typeof logoutResultSchema>;

/** `POST /api/wechat/logout-everywhere` → data: every session of the user is revoked, this one included. */
export const logoutEverywhereResultSchema = z.object({
  loggedOut: z.literal(true),
  everywhere: z.literal(true),
});
export type LogoutEverywhereResult = z.infer<typeof logoutEverywhereResultSchema>;

/** `POST /api/admin/users/:openId/sessions/revoke` → data: the user's new session version (older cookies refused). */
export const revokeSessionsResultSchema = z.object({
  openId: z.string(),
  sessionVersion: z.number().int().nonnegative(),
});
export type RevokeSessionsResult = z.infer<typeof revokeSessionsResultSchema>;
