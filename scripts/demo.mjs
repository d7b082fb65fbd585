#!/usr/bin/env node
// The offline demo: the WeChat emulator on :4000 and the api on :3000 (serving the built H5, embedded SQLite,
// the demo credentials of product.md §4). `--dev` runs the H5 through Vite's dev server on :3000 instead (hot
// reload, /api proxied to the api on :3001). `--backend` (`pnpm dev:backend`) is the backend team's half: the
// emulator and the api (reloading on change, no H5) on :3000, accepting the H5 dev server's origin
// (`pnpm --filter @wxh5/h5 dev`, :5173) as an OAuth callback and JS-SDK origin. Ctrl-C stops everything. Demo
// only: the keys below are public.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEV = process.argv.includes('--dev');
const BACKEND = process.argv.includes('--backend');
/** `pnpm start -- --pay=v2` runs WeChat Pay API v2; the default is v3 in public-key mode (what a new merchant gets). */
const PAY_ARG = process.argv.find((arg) => arg.startsWith('--pay='));
const PAY_API = PAY_ARG === undefined ? 'v3' : PAY_ARG.slice('--pay='.length);
if (PAY_API !== 'v2' && PAY_API !== 'v3') {
  console.error(`--pay must be v2 or v3 (got ${PAY_API})`);
  process.exit(1);
}

const PUBLIC_PORT = 3000;
const EMULATOR_PORT = 4000;
const API_PORT = DEV ? 3001 : PUBLIC_PORT;
const PUBLIC_URL = `http://localhost:${PUBLIC_PORT}`;
const EMULATOR_URL = `http://localhost:${EMULATOR_PORT}`;
/** Where `pnpm --filter @wxh5/h5 dev` serves (Vite's default port; `localhost` or `127.0.0.1` in the address bar). */
const H5_DEV_SERVER_PORT = 5173;
const H5_DEV_SERVER_ORIGINS = [
  `http://localhost:${H5_DEV_SERVER_PORT}`,
  `http://127.0.0.1:${H5_DEV_SERVER_PORT}`,
];

const DEMO_ENV = {
  PORT: String(API_PORT),
  HOST: DEV ? '127.0.0.1' : '0.0.0.0',
  PUBLIC_BASE_URL: PUBLIC_URL,
  // Public demo keys: never use them anywhere else.
  COOKIE_KEYS: 'wxh5-demo-cookie-key-0123456789abcdef-not-secret',
  ADMIN_TOKEN: 'wxh5-demo-admin-token-0123456789abcdef-not-secret',
  DATABASE_URL: `sqlite:${path.join(ROOT, 'data/wxh5.sqlite')}`,
  WECHAT_APP_ID: 'wx8a4c5b1d2e3f6a70',
  WECHAT_APP_SECRET: 'd2c7f3a9b8e14c5f9a6b3e2d1c0f9e8a',
  WECHAT_MCH_ID: '1900000109',
  // Kept with v3 too: the v2 orders of an earlier `pnpm start -- --pay=v2` still verify and refund (the live switch).
  WECHAT_PAY_KEY: 'DemoPayKey0123456789abcdefABCDEF',
  WECHAT_PAY_API: PAY_API,
  WECHAT_OAUTH_BASE_URL: EMULATOR_URL,
  WECHAT_API_BASE_URL: EMULATOR_URL,
  WECHAT_PAY_BASE_URL: EMULATOR_URL,
  WECHAT_BRIDGE_SCRIPT_URL: `${EMULATOR_URL}/jsbridge.js`,
  // The demo's products (course ¥199, vip-month ¥30, tip: any amount), inserted where absent at start-up.
  SEED_DEMO_PRODUCTS: 'true',
  // The H5 dev server proxies /api here, so its pages come back to their own origin after WeChat login.
  ...(BACKEND ? { ALLOWED_CALLBACK_ORIGINS: H5_DEV_SERVER_ORIGINS.join(',') } : {}),
  ...(DEV || BACKEND ? {} : { H5_DIST_DIR: path.join(ROOT, 'apps/h5/dist') }),
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
};

const children = [];
let stopping = false;

const TAG = BACKEND ? '[dev:backend]' : '[demo]';

function log(message) {
  console.log(`${TAG} ${message}`);
}

function fail(message) {
  console.error(`${TAG} ${message}`);
  void stop(1);
}

/** Whether nothing listens on `port` (checked on all interfaces, as the api binds 0.0.0.0). */
function isPortFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function newestMtimeMs(target) {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(target)) newest = Math.max(newest, newestMtimeMs(path.join(target, entry)));
  return newest;
}

function h5BuildIsStale() {
  const index = path.join(ROOT, 'apps/h5/dist/index.html');
  if (!existsSync(index)) return true;
  const builtAt = statSync(index).mtimeMs;
  return [
    'apps/h5/src',
    'apps/h5/public',
    'apps/h5/index.html',
    'apps/h5/vite.config.ts',
    'packages/contracts/src',
    'packages/wechat-core/src',
  ].some((input) => newestMtimeMs(path.join(ROOT, input)) > builtAt);
}

/** tsx's CLI as the workspace package resolves it (run with this Node: no pnpm wrapper between us and the child). */
function tsxCli(packageDir) {
  return createRequire(path.join(ROOT, packageDir, 'package.json')).resolve('tsx/cli');
}

/**
 * The demo merchant's API v3 material, read from the emulator's own exports (its demo key files and IDs: public,
 * valid nowhere else) rather than copied here.
 */
function demoPayV3Env() {
  const script =
    "import('./src/index.ts').then((m) => console.log(JSON.stringify({" +
    'WECHAT_PAY_MCH_PRIVATE_KEY_PATH: m.DEMO_KEY_FILES.merchantPrivateKey,' +
    'WECHAT_PAY_MCH_CERT_SERIAL: m.DEMO_MCH_CERT_SERIAL,' +
    'WECHAT_PAY_API_V3_KEY: m.DEMO_API_V3_KEY,' +
    'WECHAT_PAY_PUBLIC_KEY_PATH: m.DEMO_KEY_FILES.wechatpayPublicKey,' +
    'WECHAT_PAY_PUBLIC_KEY_ID: m.DEMO_WECHATPAY_PUBLIC_KEY_ID})))';
  const result = spawnSync(
    process.execPath,
    [tsxCli('packages/wechat-emulator'), '--input-type=module', '-e', script],
    {
      cwd: path.join(ROOT, 'packages/wechat-emulator'),
      encoding: 'utf8',
    },
  );
  const line = result.stdout?.trim().split('\n').at(-1);
  if (result.status !== 0 || !line) {
    throw new Error(`cannot read the emulator's demo v3 keys: ${result.stderr || 'no output'}`);
  }
  return JSON.parse(line);
}

/** Start a child in its own process group (so Ctrl-C can stop it and its grandchildren), prefixing its output. */
function start(name, command, args, options = {}) {
  const child = spawn(command, args, {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const prefix = (stream, target) => {
    let buffered = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) target.write(`[${name}] ${line}\n`);
    });
  };
  prefix(child.stdout, process.stdout);
  prefix(child.stderr, process.stderr);
  child.on('exit', (code, signal) => {
    if (!stopping) fail(`${name} exited unexpectedly (${signal ?? `code ${code}`}); stopping the demo.`);
  });
  children.push({ name, child });
  return child;
}

async function waitFor(name, url, child) {
  for (let attempt = 0; attempt < 240; attempt += 1) {
    if (child.exitCode !== null || stopping) throw new Error(`${name} stopped before it was ready`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${name} did not answer ${url} within 60 s`);
}

async function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const { child } of children.toReversed()) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  }
  const deadline = Date.now() + 5000;
  while (children.some(({ child }) => child.exitCode === null && child.signalCode === null)) {
    if (Date.now() > deadline) {
      for (const { child } of children) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  process.exit(code);
}

process.on('SIGINT', () => {
  console.log('');
  log('stopping…');
  void stop(0);
});
process.on('SIGTERM', () => void stop(0));

async function main() {
  const ports = [PUBLIC_PORT, EMULATOR_PORT, ...(DEV ? [API_PORT] : [])];
  for (const port of ports) {
    if (!(await isPortFree(port))) {
      console.error(
        `${TAG} Port ${port} is busy. Stop whatever uses it (another \`pnpm start\`? try \`lsof -i :${port}\`) and run again.`,
      );
      process.exit(1);
    }
  }

  if (!DEV && !BACKEND && h5BuildIsStale()) {
    log('building the H5 (apps/h5/dist is missing or older than its sources)…');
    const build = spawnSync('pnpm', ['--filter', '@wxh5/h5', 'exec', 'vite', 'build'], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    if (build.status !== 0) {
      console.error('[demo] Building the H5 failed; see above.');
      process.exit(1);
    }
  }
  mkdirSync(path.join(ROOT, 'data'), { recursive: true });
  if (PAY_API === 'v3') Object.assign(DEMO_ENV, demoPayV3Env());

  const emulator = start('emulator', process.execPath, [tsxCli('packages/wechat-emulator'), 'src/main.ts'], {
    cwd: path.join(ROOT, 'packages/wechat-emulator'),
    env: { EMULATOR_PORT: String(EMULATOR_PORT) },
  });
  await waitFor('the emulator', `http://127.0.0.1:${EMULATOR_PORT}/__emulator/counters`, emulator);

  // The backend team edits the api: reload it on change (tsx watch), as `pnpm --filter @wxh5/api dev` does.
  const apiArgs = BACKEND
    ? [tsxCli('apps/api'), 'watch', 'src/main.ts']
    : [tsxCli('apps/api'), 'src/main.ts'];
  const api = start('api', process.execPath, apiArgs, {
    cwd: path.join(ROOT, 'apps/api'),
    env: DEMO_ENV,
  });
  await waitFor('the api', `http://127.0.0.1:${API_PORT}/healthz`, api);

  if (DEV) {
    const vite = start(
      'h5',
      process.execPath,
      [
        path.join(ROOT, 'apps/h5/node_modules/vite/bin/vite.js'),
        '--host',
        '127.0.0.1',
        '--port',
        String(PUBLIC_PORT),
        '--strictPort',
      ],
      {
        cwd: path.join(ROOT, 'apps/h5'),
        env: {
          WXH5_API_URL: `http://127.0.0.1:${API_PORT}`,
          WECHAT_BRIDGE_SCRIPT_URL: DEMO_ENV.WECHAT_BRIDGE_SCRIPT_URL,
        },
      },
    );
    await waitFor('the H5 dev server', `http://127.0.0.1:${PUBLIC_PORT}/`, vite);
  }

  console.log('');
  if (BACKEND) {
    printBackendSummary();
    return;
  }
  log(`Open ${PUBLIC_URL}  (the page behaves as inside WeChat; test users: Alice 王, Bob 李, Carol 张)`);
  log(`WeChat emulator: ${EMULATOR_URL}  (control API: ${EMULATOR_URL}/__emulator/)`);
  log(
    PAY_API === 'v3'
      ? 'WeChat Pay: API v3, public-key mode (the demo merchant 1900000109); `pnpm start -- --pay=v2` for API v2'
      : 'WeChat Pay: API v2 (HMAC-SHA256); `pnpm start` alone runs API v3',
  );
  log(
    `Merchant refunds: POST ${PUBLIC_URL}/api/admin/orders/<outTradeNo>/refund with "Authorization: Bearer ${DEMO_ENV.ADMIN_TOKEN}"`,
  );
  log(
    `Products (demo: course, vip-month, tip): GET ${PUBLIC_URL}/api/admin/products, PUT …/api/admin/products/<productId> with the same token`,
  );
  log(DEV ? 'Hot reload is on (Vite dev server). Ctrl-C stops everything.' : 'Ctrl-C stops everything.');
}

/** What the frontend team needs from a running backend, printed once both servers answer. */
function printBackendSummary() {
  log(
    `API:      ${PUBLIC_URL}  (health: ${PUBLIC_URL}/healthz; OAuth callbacks allowed from ${H5_DEV_SERVER_ORIGINS.join(', ')})`,
  );
  log(
    `Emulator: ${EMULATOR_URL}  (bridge script: ${DEMO_ENV.WECHAT_BRIDGE_SCRIPT_URL}; control API: ${EMULATOR_URL}/__emulator/)`,
  );
  log(
    `Frontend: pnpm --filter @wxh5/h5 dev   then open http://localhost:${H5_DEV_SERVER_PORT}  (no variables to set)`,
  );
  log(`Every route without the H5: pnpm --filter @wxh5/api smoke`);
  log(`Admin token (refunds, products): ${DEMO_ENV.ADMIN_TOKEN}`);
  log(
    `Products: GET ${PUBLIC_URL}/api/wechat/pay/products (the demo's course, vip-month and tip are seeded)`,
  );
  log('The api reloads when its sources change. Ctrl-C stops everything.');
}

main().catch((error) => fail(error instanceof Error ? error.message : String(error)));
