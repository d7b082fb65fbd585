import { parseArgs } from 'node:util';
import { readEnvironment } from '../config';
import { formatDoctorReport, runDoctor } from './run-doctor';

/**
 * `pnpm run doctor` (`node dist/doctor.js` in a production build): the pre-launch self-check with this machine's
 * configuration (.env + the environment, as `pnpm start` reads it). Exit status 1 when any check fails.
 *   --reach <url>   where to fetch PUBLIC_BASE_URL from here (e.g. http://127.0.0.1:3000 behind a proxy)
 *   --env <file>    another env file than .env
 */
const { values } = parseArgs({
  options: { reach: { type: 'string' }, env: { type: 'string' } },
  allowPositionals: false,
});
const checks = await runDoctor(readEnvironment(values.env ?? '.env'), {
  ...(values.reach ? { reachPublicBaseUrl: values.reach } : {}),
});
console.log(formatDoctorReport(checks));
process.exitCode = checks.every((check) => check.ok) ? 0 : 1;
