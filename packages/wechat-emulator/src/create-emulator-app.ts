// Builds the emulator's Koa app over a state object. No listen, no env: startWechatEmulator and main.ts do that.
import Koa from 'koa';
import { applyFaults } from './http/apply-faults';
import { BodyTooLargeError } from './http/read-body';
import type { HoldRegistry } from './hold-registry';
import type { NotifyDelivery } from './notify-delivery';
import { buildHomePage } from './pages/home-page';
import { createPayService } from './pay-service';
import { createBridgeRoutes } from './routes/bridge-routes';
import { createPayRoutes } from './routes/pay-routes';
import { createPayV3Routes } from './routes/pay-v3-routes';
import { createControlRoutes } from './routes/control-routes';
import { createOAuthRoutes } from './routes/oauth-routes';
import { createTokenRoutes } from './routes/token-routes';
import type { EmulatorState } from './state';

export interface EmulatorAppDeps {
  holds: HoldRegistry;
  notifier: NotifyDelivery;
}

export function createEmulatorApp(state: EmulatorState, deps: EmulatorAppDeps): Koa {
  const app = new Koa();
  app.silent = true;

  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        ctx.status = 413;
        ctx.body = { error: error.message };
        return;
      }
      ctx.status = 500;
      ctx.body = { error: error instanceof Error ? error.message : 'internal error' };
      app.emit('error', error, ctx);
    }
  });
  app.use(applyFaults(state, deps.holds));
  app.use(async (ctx, next) => {
    if (ctx.path !== '/' || ctx.method !== 'GET') {
      await next();
      return;
    }
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = buildHomePage(state, deps.notifier.log(), `${ctx.protocol}://${ctx.host}`);
  });

  const payService = createPayService(state, deps.notifier);
  const routers = [
    createOAuthRoutes(state),
    createTokenRoutes(state),
    createPayRoutes(state, payService),
    createPayV3Routes(state, payService),
    createBridgeRoutes(state, payService),
    createControlRoutes(state, { notifier: deps.notifier, payService }),
  ];
  for (const router of routers) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  return app;
}
