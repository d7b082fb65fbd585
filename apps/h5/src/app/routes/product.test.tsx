import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { ROUTES } from '@wxh5/contracts';
import { http } from 'msw';
import { MemoryRouter, Route, Routes, useLocation, useParams } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockFailure } from '@/mock/handlers';
import { useMockApi } from '@/mock/use-mock-api';
import { createApiClient } from '@/shared/api-client';
import { ApiClientProvider } from '@/shared/api-client-context';
import { I18nProvider } from '@/shared/i18n/i18n-context';
import type { Locale } from '@/shared/i18n/locale';
import type { WxState } from '@/wechat/configure-wx';
import { ProductPage } from './product';

// The product page gets the JS-SDK ready only when 立即支付 is pressed; each test decides what that answers.
const wx: { state: WxState; checks: number } = { state: { ok: true, signedUrl: '', attempts: 0 }, checks: 0 };

const CONFIGURED: WxState = { ok: true, signedUrl: 'http://localhost/', attempts: 1 };
const NOT_IN_WECHAT: WxState = {
  ok: false,
  reason: 'not_wechat',
  errMsg: 'config:not in WeChat',
  attempts: 0,
};

afterEach(cleanup);
beforeEach(() => {
  wx.state = CONFIGURED;
  wx.checks = 0;
});

// The api of `pnpm dev:mock` (src/mock/handlers.ts), in Node: a fresh store per test.
const api = useMockApi();

/** Where 立即支付 lands: the order page's path and the cashier's answer carried in the router state. */
function OrderPlaceholder() {
  const location = useLocation();
  return (
    <p data-testid="order-page" data-state={JSON.stringify(location.state)}>
      {location.pathname}
    </p>
  );
}

/** The route as the router mounts it, with this test's JS-SDK. */
function ProductUnderTest() {
  const { productId = '' } = useParams();
  return (
    <ProductPage
      productId={productId}
      ensureWx={() => {
        wx.checks += 1;
        return Promise.resolve(wx.state);
      }}
    />
  );
}

function renderProduct(productId: string, locale: Locale = 'zh-CN') {
  render(
    <I18nProvider initialLocale={locale}>
      <ApiClientProvider client={createApiClient()}>
        <MemoryRouter initialEntries={[`/products/${productId}`]}>
          <Routes>
            <Route path="/products/:productId" element={<ProductUnderTest />} />
            <Route path="/orders/:outTradeNo" element={<OrderPlaceholder />} />
          </Routes>
        </MemoryRouter>
      </ApiClientProvider>
    </I18nProvider>,
  );
}

const payWalletBodies = () => api.bodiesSentTo(ROUTES.payWallet);

async function typeAmount(value: string, label = '金额（元）') {
  fireEvent.change(await screen.findByLabelText(label), { target: { value } });
}

describe('a fixed-price product', () => {
  it("shows the product's title, description and the server's price", async () => {
    renderProduct('course');
    expect((await screen.findByTestId('product-title')).textContent).toBe('TypeScript 实战课程');
    expect(screen.getByTestId('product-description').textContent).toContain('二十讲');
    expect(screen.getByTestId('product-price').textContent).toBe('¥199.00');
    expect(screen.getByTestId('buy-total').textContent).toBe('¥199.00');
    expect(screen.queryByTestId('amount-input')).toBeNull();
    expect(document.title).toBe('TypeScript 实战课程');
  });

  it('updates the total as the quantity changes, from 1 to 99', async () => {
    renderProduct('course');
    const quantity = await screen.findByLabelText('数量');
    expect([...(quantity as HTMLSelectElement).options].map((o) => o.value)).toEqual(
      Array.from({ length: 99 }, (_, i) => String(i + 1)),
    );
    fireEvent.change(quantity, { target: { value: '3' } });
    expect(screen.getByTestId('buy-total').textContent).toBe('¥597.00');
    fireEvent.change(quantity, { target: { value: '99' } });
    expect(screen.getByTestId('buy-total').textContent).toBe('¥19,701.00');
  });

  it('立即支付 asks payWallet for the product and the quantity, never an amount, then goes to the order page', async () => {
    renderProduct('course');
    fireEvent.change(await screen.findByLabelText('数量'), { target: { value: '2' } });
    fireEvent.click(screen.getByRole('button', { name: '立即支付' }));

    const landed = await screen.findByTestId('order-page');
    expect(await payWalletBodies()).toEqual([{ productId: 'course', quantity: 2 }]);
    const [order] = api.store.orders;
    // The server priced it: two units at its own price, the product's title as the description.
    expect(order).toMatchObject({
      productId: 'course',
      unitPriceFen: 19_900,
      quantity: 2,
      amountFen: 39_800,
      description: 'TypeScript 实战课程',
      status: 'PENDING',
    });
    expect(landed.textContent).toBe(`/orders/${order?.outTradeNo}`);
    // Outside WeChat's web view the cashier cannot open; its answer travels to the order page, which asks the server.
    expect(JSON.parse(landed.dataset.state ?? 'null')).toMatchObject({ cashier: 'fail' });
    expect(wx.checks).toBe(1);
  });

  it('says to open the page in WeChat, and creates no order, when the JS-SDK cannot work here', async () => {
    wx.state = NOT_IN_WECHAT;
    renderProduct('vip-month');
    fireEvent.click(await screen.findByRole('button', { name: '立即支付' }));
    expect((await screen.findByTestId('pay-message')).textContent).toBe('请在微信中打开本页面进行支付。');
    expect(await payWalletBodies()).toEqual([]);
    expect(api.store.orders).toEqual([]);
  });
});

describe('the tip (a custom amount)', () => {
  it('starts at the suggested price and pays the amount typed, without a quantity', async () => {
    renderProduct('tip');
    expect((await screen.findByTestId('product-price')).textContent).toBe('建议 ¥5.00');
    expect(screen.getByLabelText<HTMLInputElement>('金额（元）').value).toBe('5.00');
    expect(screen.queryByLabelText('数量')).toBeNull();
    await typeAmount('８．８');
    expect(screen.getByTestId('buy-total').textContent).toBe('¥8.80');
    fireEvent.click(screen.getByRole('button', { name: '立即支付' }));
    await screen.findByTestId('order-page');
    expect(await payWalletBodies()).toEqual([{ productId: 'tip', amountFen: 880 }]);
    expect(api.store.orders[0]).toMatchObject({ amountFen: 880, unitPriceFen: 880, quantity: 1 });
  });

  it.each([
    ['1.234', '最多两位小数，最小单位为 ¥0.01'],
    ['0', '金额须大于 ¥0'],
    ['-1', '金额须大于 ¥0'],
    ['abc', '请输入以元为单位的数字，例如 12.34'],
    ['', '请输入金额，例如 12.34'],
    ['1000000.01', '金额不能超过 ¥1,000,000.00'],
  ])('refuses %j under the field without asking WeChat or the api', async (amount, words) => {
    renderProduct('tip');
    await typeAmount(amount);
    expect((await screen.findByTestId('buy-total')).textContent).toBe('—');
    fireEvent.click(screen.getByRole('button', { name: '立即支付' }));
    expect(screen.getByTestId('amount-error').textContent).toBe(words);
    expect(screen.getByLabelText('金额（元）').getAttribute('aria-invalid')).toBe('true');
    expect(wx.checks).toBe(0);
    expect(await payWalletBodies()).toEqual([]);
    expect(api.store.orders).toEqual([]);
  });

  it('clears the error as soon as the amount is edited', async () => {
    renderProduct('tip');
    await typeAmount('abc');
    fireEvent.click(await screen.findByRole('button', { name: '立即支付' }));
    expect(screen.queryByTestId('amount-error')).not.toBeNull();
    await typeAmount('1');
    expect(screen.queryByTestId('amount-error')).toBeNull();
  });

  it('speaks English when the page is in English', async () => {
    renderProduct('tip', 'en');
    expect((await screen.findByTestId('product-price')).textContent).toBe('Suggested ¥5.00');
    await typeAmount('1.234', 'Amount (yuan)');
    fireEvent.click(screen.getByRole('button', { name: 'Pay now' }));
    expect(screen.getByTestId('amount-error').textContent).toContain('at most two decimals');
  });
});

describe('a product that cannot be bought', () => {
  it('says an unknown product id does not exist, with the way back home, and asks no payWallet', async () => {
    renderProduct('no-such-thing');
    const state = await screen.findByTestId('product-unavailable');
    expect(state.textContent).toContain('商品不存在或已下架');
    expect(screen.getByRole('link', { name: '返回首页' }).getAttribute('href')).toBe('/');
    expect(api.requests).toEqual([`GET ${ROUTES.products}`]);
  });

  it('treats an inactive product as not on sale', async () => {
    api.store.products.find((p) => p.id === 'vip-month')!.active = false;
    renderProduct('vip-month');
    expect((await screen.findByTestId('product-unavailable')).textContent).toContain('商品不存在或已下架');
  });

  it('shows the page state when the product is deactivated after the page listed it (product_inactive)', async () => {
    renderProduct('course');
    const button = await screen.findByRole('button', { name: '立即支付' });
    api.store.products.find((p) => p.id === 'course')!.active = false;
    fireEvent.click(button);
    const state = await screen.findByTestId('product-unavailable');
    expect(state.textContent).toContain('该商品已下架，请选择其他商品。');
    expect(api.store.orders).toEqual([]);
  });

  it.each([
    ['unknown_product', '商品不存在，请返回首页重新选择。'],
    ['custom_amount_not_allowed', '该商品价格固定，不能自定金额，请刷新页面后重试。'],
    ['invalid_amount', '金额无效，请重新输入。'],
  ] as const)('words a %s refusal in Chinese, never with the server message', async (slug, words) => {
    api.use(http.post(ROUTES.payWallet, () => mockFailure(slug, 'English text from the server')));
    renderProduct('course');
    fireEvent.click(await screen.findByRole('button', { name: '立即支付' }));
    const where = slug === 'unknown_product' ? 'product-unavailable' : 'pay-message';
    const text = (await screen.findByTestId(where)).textContent;
    expect(text).toContain(words);
    expect(text).not.toContain('English text from the server');
  });

  it('offers a retry when the products cannot be loaded', async () => {
    api.use(http.get(ROUTES.products, () => mockFailure('not_ready', 'The database is not reachable.')));
    renderProduct('course');
    expect((await screen.findByTestId('product-error')).textContent).toContain(
      '服务暂时不可用，请稍后重试。',
    );
  });
});
