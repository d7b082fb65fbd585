import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import type { OrderView } from '@wxh5/contracts';
import { useApiClient } from '@/shared/api-client-context';
import { Loading, PageState } from '@/shared/components/page-state';
import { useI18n } from '@/shared/i18n/i18n-context';
import { listOrders } from '../api/get-order';
import { OrderStatusBadge } from './order-status-badge';

const PAGE_SIZE = 10;

interface ListState {
  orders: OrderView[];
  nextCursor: string | null;
  loading: boolean;
  error: unknown;
  loadedOnce: boolean;
}

/** 再次支付 from a row of the list (the route owns WeChat Pay). */
export interface ListPayAgain {
  start: (outTradeNo: string) => void;
  /** The order being paid again, if any. */
  working: string | null;
  error: { outTradeNo: string; message: string } | null;
}

/** The user's orders, newest first, a page at a time (加载更多 follows the api's cursor). */
export function OrderList({ payAgain }: { payAgain: ListPayAgain }) {
  const client = useApiClient();
  const { m, describeError, formatFen, formatTime } = useI18n();
  const [state, setState] = useState<ListState>({
    orders: [],
    nextCursor: null,
    loading: true,
    error: null,
    loadedOnce: false,
  });

  const load = useCallback(
    (cursor: string | undefined, signal?: AbortSignal) => {
      setState((s) => ({ ...s, loading: true, error: null }));
      listOrders(client, { limit: PAGE_SIZE, cursor }, signal).then(
        (page) =>
          setState((s) => ({
            orders: cursor ? [...s.orders, ...page.orders] : page.orders,
            nextCursor: page.nextCursor,
            loading: false,
            error: null,
            loadedOnce: true,
          })),
        (error: unknown) => {
          if (signal?.aborted) return;
          setState((s) => ({ ...s, loading: false, error }));
        },
      );
    },
    [client],
  );

  useEffect(() => {
    const controller = new AbortController();
    load(undefined, controller.signal);
    return () => controller.abort();
  }, [load]);

  if (!state.loadedOnce && state.loading) return <Loading label={m.orders.loading} testId="orders-loading" />;
  if (!state.loadedOnce && state.error) {
    return (
      <PageState
        icon="warn"
        title={m.orders.loadFailedTitle}
        testId="orders-error"
        actions={
          <button type="button" className="weui-btn weui-btn_primary" onClick={() => load(undefined)}>
            {m.common.tryAgain}
          </button>
        }
      >
        <p>{describeError(state.error)}</p>
      </PageState>
    );
  }
  if (state.orders.length === 0) {
    return (
      <PageState
        icon="info"
        title={m.orders.emptyTitle}
        testId="orders-empty"
        actions={
          <Link className="weui-btn weui-btn_primary" to="/">
            {m.orders.makePayment}
          </Link>
        }
      />
    );
  }
  return (
    <section data-testid="orders-list">
      <ul className="weui-cells">
        {state.orders.map((order) => (
          <li key={order.outTradeNo}>
            <Link
              className="weui-cell weui-cell_access"
              to={`/orders/${encodeURIComponent(order.outTradeNo)}`}
              data-testid="order-row"
              data-out-trade-no={order.outTradeNo}
            >
              <span className="weui-cell__bd">
                <span className="order-row-title">{order.description || m.orders.defaultItem}</span>
                <span className="order-row-time">
                  {formatTime(order.createdAt)}
                  {order.unitPriceFen !== undefined && order.quantity !== undefined ? (
                    <span data-testid="order-row-units">
                      {' · '}
                      {formatFen(order.unitPriceFen)} × {order.quantity}
                    </span>
                  ) : null}
                </span>
              </span>
              <span className="weui-cell__ft">
                {formatFen(order.amountFen)} <OrderStatusBadge status={order.status} />
              </span>
            </Link>
            {order.status === 'PENDING' ? (
              <div className="order-row-actions">
                <button
                  type="button"
                  className={`weui-btn weui-btn_mini weui-btn_primary${payAgain.working === order.outTradeNo ? ' weui-btn_loading' : ''}`}
                  disabled={payAgain.working !== null}
                  data-testid="order-row-pay-again"
                  onClick={() => payAgain.start(order.outTradeNo)}
                >
                  {m.orders.payAgain}
                </button>
              </div>
            ) : null}
            {payAgain.error?.outTradeNo === order.outTradeNo ? (
              <p className="weui-cells__tips weui-cells__tips_warn" role="alert">
                {payAgain.error.message}
              </p>
            ) : null}
          </li>
        ))}
      </ul>
      {state.error ? (
        <p className="weui-cells__tips weui-cells__tips_warn" role="alert">
          {describeError(state.error)}
        </p>
      ) : null}
      {state.nextCursor ? (
        <div className="weui-btn-area">
          <button
            type="button"
            className="weui-btn weui-btn_default"
            disabled={state.loading}
            data-testid="orders-more"
            onClick={() => load(state.nextCursor ?? undefined)}
          >
            {state.loading ? m.orders.loadingMore : m.orders.loadMore}
          </button>
        </div>
      ) : (
        <div className="weui-loadmore weui-loadmore_line">
          <span className="weui-loadmore__tips">{m.orders.end}</span>
        </div>
      )}
    </section>
  );
}
