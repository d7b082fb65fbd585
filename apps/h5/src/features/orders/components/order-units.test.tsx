import { cleanup, render, screen } from '@testing-library/react';
import type { ReactNode } from 'react';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, describe, expect, it } from 'vitest';
import { useMockApi } from '@/mock/use-mock-api';
import { createApiClient } from '@/shared/api-client';
import { ApiClientProvider } from '@/shared/api-client-context';
import { I18nProvider } from '@/shared/i18n/i18n-context';
import { OrderDetail } from './order-detail';
import { OrderList } from './order-list';

afterEach(cleanup);

// The api of `pnpm dev:mock` (src/mock/handlers.ts), in Node: a fresh store per test.
const api = useMockApi();

function wrap(children: ReactNode) {
  return (
    <I18nProvider initialLocale="zh-CN">
      <ApiClientProvider client={createApiClient()}>
        <MemoryRouter>{children}</MemoryRouter>
      </ApiClientProvider>
    </I18nProvider>
  );
}

const idle = { start: () => undefined, working: false, error: null, settled: false };

/** A paid order of `quantity` courses, as the server priced it. */
function paidCourses(quantity: number): string {
  const { order } = api.store.createOrder({
    productId: 'course',
    description: 'TypeScript 实战课程',
    unitPriceFen: 19_900,
    quantity,
  });
  api.store.markPaid(order.outTradeNo);
  return order.outTradeNo;
}

describe("an order's product units", () => {
  it('the order page shows the unit price and the quantity under the total', async () => {
    const outTradeNo = paidCourses(2);
    render(wrap(<OrderDetail outTradeNo={outTradeNo} payAgain={idle} />));
    expect((await screen.findByTestId('order-amount')).textContent).toBe('¥398.00');
    expect(screen.getByTestId('order-unit-price').textContent).toBe('¥199.00');
    expect(screen.getByTestId('order-quantity').textContent).toBe('2');
    expect(screen.getByText('单价')).not.toBeNull();
    expect(screen.getByText('数量')).not.toBeNull();
  });

  it('an order from before products existed shows neither', async () => {
    const { order } = api.store.createOrder({
      productId: 'tip',
      description: 'wxh5 演示订单',
      unitPriceFen: 1234,
      quantity: 1,
    });
    delete order.productId;
    delete order.unitPriceFen;
    delete order.quantity;
    api.store.markPaid(order.outTradeNo);
    render(wrap(<OrderDetail outTradeNo={order.outTradeNo} payAgain={idle} />));
    expect((await screen.findByTestId('order-amount')).textContent).toBe('¥12.34');
    expect(screen.queryByTestId('order-unit-price')).toBeNull();
    expect(screen.queryByTestId('order-quantity')).toBeNull();
  });

  it('the list shows unit price × quantity on the row', async () => {
    paidCourses(3);
    render(wrap(<OrderList payAgain={{ start: () => undefined, working: null, error: null }} />));
    const row = await screen.findByTestId('order-row');
    expect(row.textContent).toContain('TypeScript 实战课程');
    expect(row.textContent).toContain('¥597.00');
    expect(screen.getByTestId('order-row-units').textContent).toBe(' · ¥199.00 × 3');
  });
});
