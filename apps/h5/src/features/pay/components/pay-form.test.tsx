import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import type { ReactNode } from 'react';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, describe, expect, it } from 'vitest';
import { useMockApi } from '@/mock/use-mock-api';
import { createApiClient } from '@/shared/api-client';
import { ApiClientProvider } from '@/shared/api-client-context';
import { I18nProvider } from '@/shared/i18n/i18n-context';
import type { Locale } from '@/shared/i18n/locale';
import type { WxState } from '@/wechat/configure-wx';
import { PayForm } from './pay-form';

afterEach(cleanup);

// The api of `pnpm dev:mock` (src/mock/handlers.ts), in Node: a fresh store per test.
const api = useMockApi();

const NOT_IN_WECHAT: WxState = {
  ok: false,
  reason: 'not_wechat',
  errMsg: 'config:not in WeChat',
  attempts: 0,
};

function renderForm(locale: Locale = 'zh-CN') {
  let wxChecks = 0;
  const client = createApiClient();
  const wrap = (children: ReactNode) => (
    <I18nProvider initialLocale={locale}>
      <ApiClientProvider client={client}>
        <MemoryRouter>{children}</MemoryRouter>
      </ApiClientProvider>
    </I18nProvider>
  );
  render(
    wrap(
      <PayForm
        ensureWx={() => {
          wxChecks += 1;
          return Promise.resolve(NOT_IN_WECHAT);
        }}
      />,
    ),
  );
  return { wxChecks: () => wxChecks };
}

function typeAmount(value: string, label = '金额（元）') {
  fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

describe('PayForm', () => {
  it('names the amount on the button as it is typed', () => {
    renderForm();
    expect(screen.getByTestId('pay-button').textContent).toBe('支付');
    typeAmount('12.34');
    expect(screen.getByTestId('pay-button').textContent).toBe('支付 ¥12.34');
  });

  it('reads full-width digits and dot as the amount', () => {
    renderForm();
    typeAmount('１２．３４');
    expect(screen.getByTestId('pay-button').textContent).toBe('支付 ¥12.34');
  });

  it('speaks English when the page is in English', () => {
    renderForm('en');
    typeAmount('1000000', 'Amount (yuan)');
    expect(screen.getByTestId('pay-button').textContent).toBe('Pay ¥1,000,000.00');
    typeAmount('1.234', 'Amount (yuan)');
    fireEvent.click(screen.getByTestId('pay-button'));
    expect(screen.getByTestId('amount-error').textContent).toContain('at most two decimals');
  });

  it('refuses a bad amount under the field without asking WeChat or the api', () => {
    const { wxChecks } = renderForm();
    typeAmount('1.234');
    fireEvent.click(screen.getByTestId('pay-button'));
    expect(screen.getByTestId('amount-error').textContent).toContain('最多两位小数');
    expect(screen.getByLabelText('金额（元）').getAttribute('aria-invalid')).toBe('true');
    expect(wxChecks()).toBe(0);
    expect(api.requests).toEqual([]);
    expect(api.store.orders).toEqual([]);
  });

  it('words an amount above the limit with the limit', () => {
    renderForm();
    typeAmount('1000000.01');
    fireEvent.click(screen.getByTestId('pay-button'));
    expect(screen.getByTestId('amount-error').textContent).toBe('金额不能超过 ¥1,000,000.00');
  });

  it('clears the error as soon as the amount is edited', () => {
    renderForm();
    typeAmount('abc');
    fireEvent.click(screen.getByTestId('pay-button'));
    expect(screen.queryByTestId('amount-error')).not.toBeNull();
    typeAmount('1');
    expect(screen.queryByTestId('amount-error')).toBeNull();
  });

  it('says to open the page in WeChat, and creates no order, when the JS-SDK cannot work here', async () => {
    const { wxChecks } = renderForm();
    typeAmount('8');
    fireEvent.click(screen.getByTestId('pay-button'));
    const message = await screen.findByTestId('pay-message');
    expect(message.textContent).toContain('请在微信中打开本页面进行支付。');
    expect(wxChecks()).toBe(1);
    expect(api.requests).toEqual([]);
    expect(api.store.orders).toEqual([]);
  });
});
