// @vitest-environment node
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { noLiteralCopySelectors } from '../../../lint/no-literal-copy.js';

/** The same selectors `pnpm lint` applies to the H5, run on snippets (no type information needed for them). */
async function problemsIn(code: string): Promise<number> {
  const eslint = new ESLint({
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.tsx'],
        languageOptions: { parser: tseslint.parser, parserOptions: { ecmaFeatures: { jsx: true } } },
        rules: { 'no-restricted-syntax': ['error', ...noLiteralCopySelectors] },
      },
    ],
  });
  const [result] = await eslint.lintText(code, { filePath: 'component.tsx' });
  return result?.messages.length ?? -1;
}

describe('the no-literal-copy lint rule', () => {
  it.each([
    ['English text between tags', 'export const A = () => <p>Payment successful</p>;'],
    ['Chinese text between tags', 'export const A = () => <h1>支付成功</h1>;'],
    ['a literal title', 'export const A = () => <Page title="Order closed" />;'],
    ['a literal aria-label', 'export const A = () => <nav aria-label="More" />;'],
    ['a literal placeholder in braces', "export const A = () => <input placeholder={'Amount'} />;"],
    ['a Chinese string in code', "export const label = '我的订单';"],
    ['a Chinese template', 'export const label = (n: string) => `订单 ${n}`;'],
  ])('fails on %s', async (_name, code) => {
    expect(await problemsIn(code)).toBeGreaterThan(0);
  });

  it.each([
    ['catalogue words', 'export const A = ({ m }: { m: { t: string } }) => <p title={m.t}>{m.t}</p>;'],
    ['symbols and numbers', 'export const A = () => <span>¥ ‹ · 0.00</span>;'],
    [
      'class names and test ids',
      'export const A = () => <p className="weui-msg" data-testid="order-status" />;',
    ],
  ])('passes %s', async (_name, code) => {
    expect(await problemsIn(code)).toBe(0);
  });
});
