import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { ROUTES } from '@wxh5/contracts';
import { http } from 'msw';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, describe, expect, it } from 'vitest';
import { mockFailure } from '@/mock/handlers';
import { useMockApi } from '@/mock/use-mock-api';
import { createApiClient } from '@/shared/api-client';
import { ApiClientProvider } from '@/shared/api-client-context';
import { I18nProvider } from '@/shared/i18n/i18n-context';
import type { Locale } from '@/shared/i18n/locale';
import { ProductList } from './product-list';

afterEach(cleanup);

// The api of `pnpm dev:mock` (src/mock/handlers.ts), in Node: a fresh store per test.
const api = useMockApi();

function renderList(locale: Locale = 'zh-CN') {
  render(
    <I18nProvider initialLocale={locale}>
      <ApiClientProvider client={createApiClient()}>
        <MemoryRouter>
          <ProductList />
        </MemoryRouter>
      </ApiClientProvider>
    </I18nProvider>,
  );
}

const rowsText = () =>
  screen.getAllByTestId('product-row').map((row) => ({
    id: row.dataset.productId,
    href: row.getAttribute('href'),
    title: row.querySelector('.product-row-title')?.textContent,
    price: within(row).getByTestId('product-price').textContent,
  }));

describe('ProductList', () => {
  it("lists the products on sale with the server's prices, each linking to its page", async () => {
    renderList();
    await screen.findAllByTestId('product-row');
    expect(rowsText()).toEqual([
      { id: 'course', href: '/products/course', title: 'TypeScript 实战课程', price: '¥199.00' },
      { id: 'vip-month', href: '/products/vip-month', title: '月度会员', price: '¥30.00' },
      { id: 'tip', href: '/products/tip', title: '打赏', price: '建议 ¥5.00' },
    ]);
    // The catalog needs no session, and nothing else is asked.
    expect(api.requests).toEqual([`GET ${ROUTES.products}`]);
  });

  it('says "suggested" for the custom-amount product in English too', async () => {
    renderList('en');
    const tip = (await screen.findAllByTestId('product-row')).find((row) => row.dataset.productId === 'tip');
    expect(within(tip!).getByTestId('product-price').textContent).toBe('Suggested ¥5.00');
  });

  it('leaves out a product that is no longer sold', async () => {
    api.store.products.find((p) => p.id === 'course')!.active = false;
    renderList();
    await screen.findAllByTestId('product-row');
    expect(rowsText().map((row) => row.id)).toEqual(['vip-month', 'tip']);
  });

  it('says so when nothing is on sale', async () => {
    for (const product of api.store.products) product.active = false;
    renderList();
    expect((await screen.findByTestId('products-empty')).textContent).toBe('暂无在售商品');
  });

  it("words a failure in the user's language and loads again on 重试", async () => {
    // Down once, then back.
    api.use(
      http.get(ROUTES.products, () => mockFailure('not_ready', 'The database is not reachable.'), {
        once: true,
      }),
    );
    renderList();
    const error = await screen.findByTestId('products-error');
    expect(error.textContent).toContain('服务暂时不可用，请稍后重试。');
    expect(error.textContent).not.toContain('The database is not reachable.');
    fireEvent.click(within(error).getByRole('button', { name: '重试' }));
    expect(await screen.findAllByTestId('product-row')).toHaveLength(3);
  });
});
