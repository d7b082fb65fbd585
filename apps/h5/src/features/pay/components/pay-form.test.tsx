import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiClient } from '@/shared/api-client';
import { ApiClientProvider } from '@/shared/api-client-context';
import type { WxState } from '@/wechat/configure-wx';
import { PayForm } from './pay-form';

afterEach(cleanup);

const NOT_IN_WECHAT: WxState = {
  ok: false,
  reason: 'not_wechat',
  errMsg: 'config:not in WeChat',
  attempts: 0,
};

function renderForm() {
  const requests: string[] = [];
  let wxChecks = 0;
  const client = createApiClient({
    fetch: (input) => {
      requests.push(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      return Promise.reject(new Error('this test has no api'));
    },
  });
  render(
    <ApiClientProvider client={client}>
      <MemoryRouter>
        <PayForm
          ensureWx={() => {
            wxChecks += 1;
            return Promise.resolve(NOT_IN_WECHAT);
          }}
        />
      </MemoryRouter>
    </ApiClientProvider>,
  );
  return { requests, wxChecks: () => wxChecks };
}

function typeAmount(value: string) {
  fireEvent.change(screen.getByLabelText('Amount (yuan)'), { target: { value } });
}

describe('PayForm', () => {
  it('names the amount on the button as it is typed', () => {
    renderForm();
    expect(screen.getByTestId('pay-button').textContent).toBe('Pay');
    typeAmount('12.34');
    expect(screen.getByTestId('pay-button').textContent).toBe('Pay ¥12.34');
  });

  it('refuses a bad amount under the field without asking WeChat or the api', () => {
    const { requests, wxChecks } = renderForm();
    typeAmount('1.234');
    fireEvent.click(screen.getByTestId('pay-button'));
    expect(screen.getByTestId('amount-error').textContent).toContain('at most two decimals');
    expect(screen.getByLabelText('Amount (yuan)').getAttribute('aria-invalid')).toBe('true');
    expect(wxChecks()).toBe(0);
    expect(requests).toEqual([]);
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
    const { requests, wxChecks } = renderForm();
    typeAmount('8');
    fireEvent.click(screen.getByTestId('pay-button'));
    const message = await screen.findByTestId('pay-message');
    expect(message.textContent).toContain('Open this page in WeChat to pay.');
    expect(wxChecks()).toBe(1);
    expect(requests).toEqual([]);
  });
});
