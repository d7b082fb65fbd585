import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import type { OrderView } from '@wxh5/contracts';
import { useApiClient } from '@/shared/api-client-context';
import { describeError, isApiError } from '@/shared/api-error';
import { Loading, PageState } from '@/shared/components/page-state';
import { formatTime } from '@/shared/format-time';
import { formatFen } from '@/shared/money';
import { getOrder } from '../api/get-order';
import { poll } from '../utils/poll';

type ViewState =
  | { kind: 'loading' }
  | { kind: 'order'; order: OrderView; polling: boolean }
  | { kind: 'error'; message: string; notFound: boolean };

/** A network hiccup or a 5xx while waiting for WeChat is worth another try; a 404 or a 401 is not. */
function isTransient(error: unknown): boolean {
  return isApiError(error) && (error.kind !== 'api' || error.status >= 500);
}

/**
 * One order. While it is PENDING the page asks the server again with backoff (the server, reconciling with
 * WeChat, is the truth — not the cashier's callback) and stops after a capped number of tries.
 */
export function OrderDetail({ outTradeNo }: { outTradeNo: string }) {
  const client = useApiClient();
  const [state, setState] = useState<ViewState>({ kind: 'loading' });
  const [round, setRound] = useState(0);

  const checkAgain = useCallback(() => setRound((n) => n + 1), []);

  useEffect(() => {
    const controller = new AbortController();
    poll({
      load: (signal) => getOrder(client, outTradeNo, signal),
      isDone: (order) => order.status !== 'PENDING',
      onValue: (order) => setState({ kind: 'order', order, polling: order.status === 'PENDING' }),
      isTransient,
      signal: controller.signal,
    }).then(
      (result) => {
        if (result.kind === 'gave_up') {
          if (result.value) setState({ kind: 'order', order: result.value, polling: false });
          else setState({ kind: 'error', message: describeError(result.lastError), notFound: false });
        }
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        const notFound = isApiError(error) && error.status === 404;
        setState({ kind: 'error', message: describeError(error), notFound });
      },
    );
    return () => controller.abort();
  }, [client, outTradeNo, round]);

  if (state.kind === 'loading') return <Loading label="Loading your order…" testId="order-loading" />;
  if (state.kind === 'error') {
    return (
      <PageState
        icon="warn"
        title={state.notFound ? 'Order not found' : 'Could not load the order'}
        testId="order-error"
        actions={
          <>
            {state.notFound ? null : (
              <button type="button" className="btn btn--primary" onClick={checkAgain}>
                Try again
              </button>
            )}
            <Link className="btn btn--default" to="/orders">
              My orders
            </Link>
          </>
        }
      >
        <p>{state.message}</p>
      </PageState>
    );
  }
  return <OrderResult order={state.order} polling={state.polling} onCheckAgain={checkAgain} />;
}

function OrderResult({
  order,
  polling,
  onCheckAgain,
}: {
  order: OrderView;
  polling: boolean;
  onCheckAgain: () => void;
}) {
  const content = describeStatus(order, polling);
  return (
    <PageState
      icon={content.icon}
      title={content.title}
      testId="order-status"
      actions={
        <>
          {order.status === 'PENDING' && !polling ? (
            <button
              type="button"
              className="btn btn--primary"
              data-testid="order-check-again"
              onClick={onCheckAgain}
            >
              Check again
            </button>
          ) : null}
          <Link className={`btn ${order.status === 'PAID' ? 'btn--primary' : 'btn--default'}`} to="/">
            Back to home
          </Link>
          <Link className="btn btn--default" to="/orders">
            My orders
          </Link>
        </>
      }
    >
      <p className="msg__amount" data-testid="order-amount">
        {formatFen(order.amountFen)}
      </p>
      <p data-testid="order-status-text" data-status={order.status}>
        {content.text}
      </p>
      <dl className="details">
        <div>
          <dt>Order no.</dt>
          <dd className="mono" data-testid="order-out-trade-no">
            {order.outTradeNo}
          </dd>
        </div>
        {order.description ? (
          <div>
            <dt>Item</dt>
            <dd>{order.description}</dd>
          </div>
        ) : null}
        <div>
          <dt>Created</dt>
          <dd>{formatTime(order.createdAt)}</dd>
        </div>
        {order.paidAt ? (
          <div>
            <dt>Paid</dt>
            <dd>{formatTime(order.paidAt)}</dd>
          </div>
        ) : null}
        {order.transactionId ? (
          <div>
            <dt>WeChat Pay no.</dt>
            <dd className="mono">{order.transactionId}</dd>
          </div>
        ) : null}
        {order.refundedFen > 0 ? (
          <div>
            <dt>Refunded</dt>
            <dd>{formatFen(order.refundedFen)}</dd>
          </div>
        ) : null}
      </dl>
    </PageState>
  );
}

function describeStatus(
  order: OrderView,
  polling: boolean,
): { icon: 'success' | 'waiting' | 'warn' | 'info'; title: string; text: string } {
  switch (order.status) {
    case 'PAID':
      return {
        icon: 'success',
        title: 'Payment successful',
        text:
          order.refundedFen > 0
            ? `Paid. ${formatFen(order.refundedFen)} of it has been refunded.`
            : 'WeChat Pay confirmed your payment.',
      };
    case 'PENDING':
      return polling
        ? { icon: 'waiting', title: 'Waiting for WeChat Pay', text: 'Confirming your payment with WeChat…' }
        : {
            icon: 'waiting',
            title: 'Not paid yet',
            text: 'WeChat has not confirmed a payment for this order yet. If you paid, check again in a moment.',
          };
    case 'CLOSED':
      return {
        icon: 'info',
        title: 'Order closed',
        text: 'This order was closed without payment. Nothing was charged.',
      };
    case 'REFUNDED':
      return { icon: 'info', title: 'Refunded', text: 'This order was paid and then refunded in full.' };
  }
}
