import { Router } from '@koa/router';
import { ROUTES, type Health, type Readiness } from '@wxh5/contracts';
import { sql } from 'kysely';
import type { AppDeps } from '../deps';
import { ApiError } from '../shared/api-error';
import { respond } from '../http/respond';

/** A probe that neither answers nor fails within this long counts as failed (a hung Redis must not hang /readyz). */
const PROBE_TIMEOUT_MS = 2000;

function withTimeout(probe: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('probe timed out')), PROBE_TIMEOUT_MS);
  });
  return Promise.race([probe(), timeout]).finally(() => clearTimeout(timer));
}

/**
 * `GET /healthz`: the process answers (liveness). `GET /readyz`: the database answers `select 1` and every extra
 * probe (Redis ping when configured) passes; otherwise 503 `not_ready` naming the failing checks.
 */
export function createHealthRoutes(deps: AppDeps): Router {
  const router = new Router();
  const database = async () => {
    await sql`select 1`.execute(deps.db);
  };

  router.get(ROUTES.healthz, (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    respond<Health>(ctx, { status: 'ok' });
  });

  router.get(ROUTES.readyz, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const probes: Record<string, () => Promise<void>> = { database, ...deps.readinessChecks };
    const names = Object.keys(probes);
    const results = await Promise.allSettled(names.map((name) => withTimeout(probes[name]!)));
    const checks: Readiness['checks'] = {};
    names.forEach((name, index) => {
      const result = results[index];
      checks[name] = result?.status === 'fulfilled' ? 'ok' : 'fail';
      if (result?.status === 'rejected') {
        deps.logger.warn({ check: name, err: result.reason as unknown }, 'readiness check failed');
      }
    });
    const failing = names.filter((name) => checks[name] === 'fail');
    if (failing.length > 0) {
      throw new ApiError('not_ready', `Not ready: ${failing.join(', ')} failing.`);
    }
    respond<Readiness>(ctx, { status: 'ok', checks });
  });

  return router;
}
