// `pnpm --filter @wxh5/api prune-notifications --older-than 90d [--dry-run]` (production: `node
// dist/prune-notifications.js …`): applies the retention policy of unverified notify refusals (see
// store/prune-notifications.ts and README, Operations). Reads the same configuration as the api (DATABASE_URL).
import { parseArgs } from 'node:util';
import { ConfigError, parseConfig, readEnvironment } from './config';
import { openDatabase } from './store/database';
import { parseAge, pruneNotifications } from './store/prune-notifications';

async function run(): Promise<number> {
  const { values } = parseArgs({
    options: { 'older-than': { type: 'string' }, 'dry-run': { type: 'boolean', default: false } },
  });
  const ageMs = parseAge(values['older-than'] ?? '');
  if (ageMs === undefined) {
    console.error('usage: prune-notifications --older-than <N>d|<N>h [--dry-run]   (e.g. --older-than 90d)');
    return 2;
  }
  let databaseUrl: string;
  try {
    databaseUrl = parseConfig(readEnvironment()).databaseUrl;
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
  const before = new Date(Date.now() - ageMs).toISOString();
  const handle = openDatabase(databaseUrl);
  try {
    const report = await pruneNotifications(handle.db, { before, dryRun: values['dry-run'] });
    const verb = values['dry-run'] ? 'would delete' : 'deleted';
    console.log(
      `${verb}: ${report.refusedNotifications} refused-notify audit rows and ${report.refusalCounters} hourly ` +
        `refusal counters received before ${before}; ${report.revokedSessions} expired session revocations`,
    );
    return 0;
  } finally {
    await handle.close();
  }
}

run().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('prune-notifications failed:', err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
