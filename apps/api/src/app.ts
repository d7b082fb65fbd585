import Koa from 'koa';
import Keygrip from 'keygrip';
import type { AppDeps } from './deps';
import { handleErrors } from './http/handle-errors';
import { assignRequestId } from './http/request-id';
import { serveH5 } from './http/serve-h5';

/** Build the Koa app from its dependencies: no listening, no environment. `main.ts` listens. */
export function createApp(deps: AppDeps): Koa {
  const { config, logger } = deps;
  const app = new Koa({ proxy: config.trustProxy });
  // Keygrip with sha256: the first key signs, every key verifies (rotation); a removed key no longer verifies.
  app.keys = new Keygrip(config.cookieKeys, 'sha256');
  app.silent = true;

  app.use(assignRequestId());
  app.use(handleErrors(logger));

  if (config.h5DistDir) app.use(serveH5(config.h5DistDir, config.bridgeScriptUrl));
  return app;
}
