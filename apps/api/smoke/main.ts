// `pnpm --filter @wxh5/api smoke`: every route of a running api, without the H5 (see run-smoke.ts). The defaults
// are what `pnpm dev:backend` starts; point it elsewhere with --api, --emulator, --admin-token, --user.
import { parseArgs } from 'node:util';
import { runSmoke } from './run-smoke';
import { SmokeError } from './smoke-http';

const DEV_BACKEND_ADMIN_TOKEN = 'wxh5-demo-admin-token-0123456789abcdef-not-secret';

const { values } = parseArgs({
  options: {
    api: { type: 'string', default: 'http://localhost:3000' },
    emulator: { type: 'string', default: 'http://localhost:4000' },
    'admin-token': { type: 'string', default: DEV_BACKEND_ADMIN_TOKEN },
    'no-refund': { type: 'boolean', default: false },
    user: { type: 'string', default: 'alice' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(
    'usage: pnpm --filter @wxh5/api smoke [--api URL] [--emulator URL] [--admin-token TOKEN | --no-refund] [--user alice]',
  );
  process.exit(0);
}

try {
  const report = await runSmoke({
    apiUrl: values.api,
    emulatorUrl: values.emulator,
    adminToken: values['no-refund'] ? undefined : values['admin-token'],
    userId: values.user,
    settleTimeoutMs: 15_000,
    onStep: (step) => console.log(`ok  ${step.name.padEnd(20)} ${step.detail}`),
  });
  for (const what of report.skipped) console.log(`--  skipped: ${what}`);
  console.log(`smoke passed: ${report.steps.length} steps against ${values.api}`);
} catch (error) {
  if (!(error instanceof SmokeError)) throw error;
  console.error(`FAIL ${error.message}`);
  process.exit(1);
}
