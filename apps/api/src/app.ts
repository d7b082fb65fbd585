import Koa from 'koa';
import Keygrip from 'keygrip';
import type { AppDeps } from './deps';
import { handleErrors } from './http/handle-errors';
import { logRequests } from './http/log-requests';
import { assignRequestId } from './http/request-id';
import { resolveClientIp } from './http/resolve-client-ip';
import { serveH5 } from './http/serve-h5';
import { serveMpVerifyFile } from './http/serve-mp-verify-file';
import { setSecurityHeaders } from './http/set-security-headers';
import { createPayServices, type PayServices } from './pay/create-pay-services';
import { adminRoutes } from './routes/admin-routes';
import { notifyRoutes } from './routes/notify-routes';
import { payRoutes } from './routes/pay-routes';
import { createAuthRoutes } from './routes/auth-routes';
import { createHealthRoutes } from './routes/health-routes';
import { createJssdkRoutes } from './routes/jssdk-routes';
import { createOpenApiRoutes } from './routes/openapi-routes';
import { observeCredentialRefreshes, observeWechatCalls } from './metrics/create-metrics';
import { mountRouter } from './http/mount-router';
import { createTokenManagerFromDeps } from './wechat/token-manager';

/**
 * Build the Koa app from its dependencies: no listening, no environment. `main.ts` listens, and passes the pay
 * services it shares with the sweep (one composition root); without them the app builds its own.
 */
export function createApp(deps: AppDeps, pay: PayServices = createPayServices(deps)): Koa {
  const { config, logger } = deps;
  const app = new Koa({ proxy: config.trustProxy });
  // Keygrip with sha256: the first key signs, every key verifies (rotation); a removed key no longer verifies.
  app.keys = new Keygrip(config.cookieKeys, 'sha256');
  app.silent = true;

  app.use(assignRequestId());
  app.use(setSecurityHeaders({ https: config.secureCookies, bridgeScriptUrl: config.bridgeScriptUrl }));
  app.use(resolveClientIp({ trustProxy: config.trustProxy, proxyHops: config.trustProxyHops }));
  app.use(logRequests(logger, deps.metrics));
  app.use(handleErrors(logger));
  if (config.mpVerifyFile) app.use(serveMpVerifyFile(config.mpVerifyFile));

  // The JS-SDK route is the hottest (every page view): its router is consulted first.
  mountRouter(
    app,
    createJssdkRoutes(
      deps,
      createTokenManagerFromDeps({
        ...deps,
        observeWechatCall: observeWechatCalls(deps.metrics),
        observeRefresh: observeCredentialRefreshes(deps.metrics),
      }),
    ),
  );
  mountRouter(app, createHealthRoutes(deps));
  mountRouter(app, createAuthRoutes(deps));

  mountRouter(app, notifyRoutes(deps, pay));
  mountRouter(app, payRoutes(deps, pay));
  mountRouter(app, adminRoutes(deps, pay));
  mountRouter(app, createOpenApiRoutes());

  if (config.h5DistDir) app.use(serveH5(config.h5DistDir, config.bridgeScriptUrl));
  return app;
}
