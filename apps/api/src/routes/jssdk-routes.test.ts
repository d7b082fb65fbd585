import { jssdkQuerySchema } from '@wxh5/contracts';
import { describe, expect, it } from 'vitest';
import { parseAllowedUrl } from '../shared/allowed-url';
import { jssdkPageUrl } from './jssdk-routes';

const ORIGINS = ['https://h5.example.com', 'http://127.0.0.1:3000'];

/** What the route signs for `raw` (undefined = 400 invalid_url), via the contract's zod schema. */
function viaSchema(raw: unknown): string | undefined {
  const parsed = jssdkQuerySchema.safeParse({ url: raw });
  if (!parsed.success) return undefined;
  const url = parsed.data.url.split('#')[0] ?? '';
  return parseAllowedUrl(url, ORIGINS) ? url : undefined;
}

/** The same through the route's own check. */
function viaRoute(raw: unknown): string | undefined {
  const page = jssdkPageUrl(raw);
  if (page === undefined) return undefined;
  const url = page.split('#')[0] ?? '';
  return parseAllowedUrl(url, ORIGINS) ? url : undefined;
}

const BASES = [
  'https://h5.example.com/pay?from=a&b=%20c#frag',
  'https://h5.example.com',
  'HTTPS://H5.EXAMPLE.COM/x',
  'http://127.0.0.1:3000/',
  'http://127.0.0.1:3001/',
  'https://evil.example/',
  'https://user:pw@h5.example.com/',
  'https:/h5.example.com/',
  'https:h5.example.com/',
  'http:\\\\h5.example.com/',
  '//h5.example.com/',
  '/relative',
  'javascript:alert(1)',
  'data:text/html,x',
  'ftp://h5.example.com/',
  'https://#frag',
  'https://',
  'https://h5.example.com:99999/',
  'https://h5.exa mple.com/',
  'https://[::1/',
  'https://h5.example.com/%zz',
  'https://h5.example.com/\u00e9?q=\u4e2d',
  '',
];
const DECORATIONS: ((s: string) => string)[] = [
  (s) => s,
  (s) => `  ${s}  `,
  (s) => `\t${s}\n`,
  (s) => s.replace('://', ':/\t/'),
  (s) => s.replace('h5.', 'h5\n.'),
  (s) => s.replace('https', 'ht\rtps'),
  (s) => `${s}\u0000`,
  (s) => `\u00a0${s}`,
  (s) => `${s}${'a'.repeat(2048 - s.length)}`,
  (s) => `${s}${'a'.repeat(2049 - s.length)}`,
  (s) => `${s}#${'a'.repeat(2100)}`,
];

describe('jssdkPageUrl', () => {
  it('accepts and outputs exactly what the contract schema and the origin check accept and output', () => {
    let compared = 0;
    for (const base of BASES) {
      for (const decorate of DECORATIONS) {
        const raw = decorate(base);
        expect({ raw, url: viaRoute(raw) }).toEqual({ raw, url: viaSchema(raw) });
        compared += 1;
      }
    }
    expect(compared).toBe(BASES.length * DECORATIONS.length);
    expect(viaRoute('https://h5.example.com/pay?from=a&b=%20c#frag')).toBe(
      'https://h5.example.com/pay?from=a&b=%20c',
    );
  });

  it('refuses anything but one string, as the schema does', () => {
    for (const raw of [undefined, null, 42, ['https://h5.example.com/', 'https://h5.example.com/'], {}]) {
      expect(jssdkPageUrl(raw)).toBeUndefined();
      expect(jssdkQuerySchema.safeParse({ url: raw }).success).toBe(false);
    }
  });
});
