// The api's entry point: the only file that reads the environment (through config.ts) and listens.
import { createServer } from 'node:http';
import { collectDefaultMetrics } from 'prom-client';
import type { AddressInfo } from 'node:net';
import { createApp } from './app';
import { ConfigError, parseConfig, readEnvironment, type Config } from './config';
import { createDeps } from './create-deps';
import { createLogger } from './logger';
import { createMetricsServer } from './metrics/create-metrics-server';
import { createPayServices } from './pay/create-pay-services';
import { startPaySweep } from './pay/pay-sweep';

function loadConfig(): Config {
  try {
    return parseConfig(readEnvironment());
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      console.error('See apps/api/.env.example for every variable.');
      process.exit(1);
    }
    throw err;
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const handle = await createDeps(config, { logger });
  // One composition root: the routes and the sweep share these services.
  const pay = createPayServices(handle.deps);
  const app = createApp(handle.deps, pay);
  const callback = app.callback();
  const server = createServer((req, res) => {
    void callback(req, res);
  });
  // Longer than a typical load balancer's idle timeout, so it closes idle connections first.
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.address === '0.0.0.0' || address.address === '::' ? 'localhost' : address.address;
  logger.info(
    { url: `http://${shownHost}:${address.port}`, publicBaseUrl: config.publicBaseUrl },
    `wxh5 api listening on http://${shownHost}:${address.port}`,
  );

  // Prometheus metrics on their own listener (METRICS_PORT), never on the public origin.
  const metricsServer =
    config.metrics.port === undefined ? undefined : createMetricsServer(handle.deps.metrics.registry);
  if (metricsServer) {
    collectDefaultMetrics({ register: handle.deps.metrics.registry });
    await new Promise<void>((resolve, reject) => {
      metricsServer.once('error', reject);
      metricsServer.listen(config.metrics.port, config.metrics.host, resolve);
    });
    logger.info({ metrics: metricsServer.address() }, 'metrics listening (GET /metrics)');
  }

  // Background reconciliation of PENDING orders and refunds (PAY_SWEEP_INTERVAL_SECONDS, 0 = off).
  const stopSweep = startPaySweep(handle.deps, pay);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Stop accepting, let in-flight requests finish (bounded), then close the database and Redis.
    const force = setTimeout(() => server.closeAllConnections(), 10_000);
    force.unref();
    metricsServer?.close();
    server.close(() => {
      clearTimeout(force);
      stopSweep()
        .then(() => handle.close())
        .catch((err: unknown) => logger.error({ err }, 'error while closing'))
        .finally(() => process.exit(0));
    });
    server.closeIdleConnections();
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error('wxh5 api failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
