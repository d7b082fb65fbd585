import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** Run the machine's `openssl` (tests make throwaway keys and certificates with it). */
export function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: 'pipe' });
}

/** A throwaway self-signed EC certificate and its key, as PEM files `<name>.cert.pem` / `<name>.key.pem` in `dir`. */
export function selfSigned(
  dir: string,
  name: string,
  subjectAltName?: string,
): { key: string; cert: string } {
  const key = join(dir, `${name}.key.pem`);
  const cert = join(dir, `${name}.cert.pem`);
  openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '1',
    '-subj',
    `/CN=${name}`,
    ...(subjectAltName ? ['-addext', `subjectAltName=${subjectAltName}`] : []),
  );
  return { key, cert };
}
