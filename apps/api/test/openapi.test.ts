import { buildOpenApiDocument, documentedOperations } from '@wxh5/contracts/openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, useFileEmulator, type TestApi } from './support';

// Every documented operation is mounted (the pay-again route was the last one listed here).
const NOT_MOUNTED_YET = new Set<string>();

const shared = useFileEmulator();
let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ emulatorUrl: shared.emulator.url });
});
afterAll(async () => {
  await api.close();
});

describe('GET /api/openapi.json', () => {
  it('serves the document generated from the contracts', async () => {
    const response = await fetch(`${api.url}/api/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual(buildOpenApiDocument());
  });

  // The document is written apart from the routers: a path or method it names that the api does not mount would
  // answer the router's not_found or method_not_allowed.
  const isMounted = async ({ method, path }: { method: string; path: string }) => {
    const url = `${api.url}${path.replace('{outTradeNo}', 'NoSuchOrder00000000000000000001')}`;
    const response = await fetch(url, { method: method.toUpperCase(), redirect: 'manual' });
    const body = response.headers.get('content-type')?.includes('json')
      ? ((await response.json()) as { error?: string })
      : {};
    return body.error !== 'not_found' && body.error !== 'method_not_allowed' && response.status !== 405;
  };

  it.each(documentedOperations().filter(({ path }) => !NOT_MOUNTED_YET.has(path)))(
    'names a route the api mounts: $method $path',
    async (operation) => {
      expect(await isMounted(operation)).toBe(true);
    },
  );

  // In the contract (the H5 calls it) but not in the api yet: listed so that this test fails, and the entry is
  // removed, once the route is mounted. Empty today.
  it.each(documentedOperations().filter(({ path }) => NOT_MOUNTED_YET.has(path)))(
    'knows $method $path is not mounted yet',
    async (operation) => {
      expect(await isMounted(operation)).toBe(false);
    },
  );

  it('mounts the pay-again route', async () => {
    expect(await isMounted({ method: 'post', path: '/api/wechat/pay/orders/{outTradeNo}/prepay' })).toBe(
      true,
    );
  });
});
