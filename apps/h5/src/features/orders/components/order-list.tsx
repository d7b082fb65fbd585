import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import type { OrderView } from '@wxh5/contracts';
import { useApiClient } from '@/shared/api-client-context';
import { describeError } from '@/shared/api-error';
import { Loading, PageState } from '@/shared/components/page-state';
import { formatTime } from '@/shared/format-time';
import { formatFen } from '@/shared/money';
import { listOrders } from '../api/get-order';
import { OrderStatusBadge } from './order-status-badge';

const PAGE_SIZE = 10;

interface ListState {
  orders: OrderView[];
  nextCursor: string | null;
  loading: boolean;
  error: string | null;
  loadedOnce: boolean;
}

/** The user's orders, newest first, a page at a time ("Load more" follows the api's cursor). */
export function OrderList() {
  const client = useApiClient();
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
          setState((s) => ({ ...s, loading: false, error: describeError(error) }));
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

  if (!state.loadedOnce && state.loading)
    return <Loading label="Loading your orders…" testId="orders-loading" />;
  if (!state.loadedOnce && state.error) {
    return (
      <PageState
        icon="warn"
        title="Could not load your orders"
        testId="orders-error"
        actions={
          <button type="button" className="btn btn--primary" onClick={() => load(undefined)}>
            Try again
          </button>
        }
      >
        <p>{state.error}</p>
      </PageState>
    );
  }
  if (state.orders.length === 0) {
    return (
      <PageState
        icon="info"
        title="No orders yet"
        testId="orders-empty"
        actions={
          <Link className="btn btn--primary" to="/">
            Make a payment
          </Link>
        }
      />
    );
  }
  return (
    <section className="orders" data-testid="orders-list">
      <ul className="cells">
        {state.orders.map((order) => (
          <li key={order.outTradeNo}>
            <Link
              className="cell cell--link"
              to={`/orders/${encodeURIComponent(order.outTradeNo)}`}
              data-testid="order-row"
              data-out-trade-no={order.outTradeNo}
            >
              <span className="cell__body">
                <span className="cell__title">{order.description || 'Payment'}</span>
                <span className="cell__meta">{formatTime(order.createdAt)}</span>
              </span>
              <span className="cell__side">
                <span className="cell__amount">{formatFen(order.amountFen)}</span>
                <OrderStatusBadge status={order.status} />
              </span>
            </Link>
          </li>
        ))}
      </ul>
      {state.error ? (
        <p className="notice notice--warn" role="alert">
          {state.error}
        </p>
      ) : null}
      {state.nextCursor ? (
        <button
          type="button"
          className="btn btn--default"
          disabled={state.loading}
          data-testid="orders-more"
          onClick={() => load(state.nextCursor ?? undefined)}
        >
          {state.loading ? 'Loading…' : 'Load more'}
        </button>
      ) : (
        <p className="orders__end">That is all your orders.</p>
      )}
    </section>
  );
}
