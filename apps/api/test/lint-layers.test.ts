import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The api's layers are a lint rule (eslint.config.js, API_LAYER_ZONES: import-x/no-restricted-paths): the repo's
 * own config, run on fixture files placed in apps/api/src, reports an import that goes up a layer and lets one
 * that goes down pass. The fixtures exist only as text here (type-aware rules are switched off for them: the
 * layer rule needs no types, only the real files it resolves the imports to).
 */
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const RULE = 'import-x/no-restricted-paths';

let eslint: ESLint;
beforeAll(async () => {
  eslint = new ESLint({
    cwd: REPO,
    overrideConfig: [
      { ...tseslint.configs.disableTypeChecked, files: ['**/*.ts'] },
      { files: ['**/*.ts'], languageOptions: { parserOptions: { projectService: false } } },
    ],
  });
  // The first lint loads the config and its plugins: a generous limit for a loaded box, not a speed check.
  await eslint.lintText('export {};\n', {
    filePath: path.join(REPO, 'apps/api/src/shared/warm-up-fixture.ts'),
  });
}, 60_000);

async function layerProblems(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: path.join(REPO, 'apps/api/src', file) });
  expect(result?.messages.filter((m) => m.fatal)).toEqual([]);
  return (result?.messages ?? []).filter((m) => m.ruleId === RULE).map((m) => m.message);
}

describe('the layer rule of apps/api/src', () => {
  it.each([
    [
      'a WeChat client importing a route',
      'wechat/upward-fixture.ts',
      "import { payRoutes } from '../routes/pay-routes';",
    ],
    [
      'a WeChat client importing a service',
      'wechat/upward-fixture.ts',
      "import { createPayServices } from '../pay/create-pay-services';",
    ],
    [
      'a WeChat client importing http/',
      'wechat/upward-fixture.ts',
      "import { handleErrors } from '../http/handle-errors';",
    ],
    [
      'a WeChat client throwing envelope errors',
      'wechat/pay/upward-fixture.ts',
      "import { ApiError } from '../../shared/api-error';",
    ],
    [
      'http/ importing wechat/',
      'http/upward-fixture.ts',
      "import { createTokenManager } from '../wechat/token-manager';",
    ],
    [
      'http/ importing the database',
      'http/upward-fixture.ts',
      "import { openDatabase } from '../store/database';",
    ],
    [
      'a service importing a route',
      'pay/upward-fixture.ts',
      "import { adminRoutes } from '../routes/admin-routes';",
    ],
    ['a service importing http/', 'users/upward-fixture.ts', "import { respond } from '../http/respond';"],
    [
      'the store importing a service',
      'store/upward-fixture.ts',
      "import { toOrderView } from '../pay/order-views';",
    ],
    [
      'shared/ importing wechat/',
      'shared/upward-fixture.ts',
      "import { createTokenManager } from '../wechat/token-manager';",
    ],
    [
      'a route importing the composition root',
      'routes/upward-fixture.ts',
      "import { createApp } from '../app';",
    ],
  ])('reports %s', async (_name, file, source) => {
    expect(
      await layerProblems(file, `${source}\nexport const used = [${/\{ (\w+) \}/.exec(source)![1]}];\n`),
    ).toEqual([expect.stringMatching(/^Unexpected path ".+" imported in restricted zone\. /)]);
  });

  it.each([
    [
      'a route importing a service',
      'routes/downward-fixture.ts',
      "import { createPayServices } from '../pay/create-pay-services';",
    ],
    [
      'a service importing a gateway',
      'pay/downward-fixture.ts',
      "import { createPayGateways } from '../wechat/pay/create-pay-gateways';",
    ],
    [
      'a service importing the store',
      'users/downward-fixture.ts',
      "import { isoAt } from '../store/iso-at';",
    ],
    [
      'a service throwing an envelope error',
      'pay/downward-fixture.ts',
      "import { ApiError } from '../shared/api-error';",
    ],
    [
      'a WeChat client importing a WeChat error',
      'wechat/downward-fixture.ts',
      "import { WechatError } from '../shared/wechat-error';",
    ],
    [
      'http/ importing shared/',
      'http/downward-fixture.ts',
      "import { isDatabaseUnavailable } from '../shared/database-unavailable';",
    ],
  ])('lets %s pass', async (_name, file, source) => {
    expect(
      await layerProblems(file, `${source}\nexport const used = [${/\{ (\w+) \}/.exec(source)![1]}];\n`),
    ).toEqual([]);
  });
});
