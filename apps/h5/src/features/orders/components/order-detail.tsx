import { useCallback, useEffect, useState } from 'react';
import { Link, useLocation } from 'react-router-dom';
import type { OrderView } from '@wxh5/contracts';
import { useApiClient } from '@/shared/api-client-context';
import { isApiError } from '@/shared/api-error';
import { cashierReason, readCashierOutcome } from '@/shared/cashier-outcome';
import type { CashierOutcomeState } from '@/shared/cashier-outcome';
import { Loading, PageState } from '@/shared/components/page-state';
import { useI18n } from '@/shared/i18n/i18n-context';
import type { Messages } from '@/shared/i18n/messages/zh-cn';
import { getOrder } from '../api/get-order';
import { backoffDelays, poll } from '../utils/poll';

type ViewState =
  | { kind: 'loading' }
  | { kind: 'order'; order: OrderView; polling: boolean }
  | { kind: 'error'; error: unknown; notFound: boolean };

/** What 再次支付 is doing, handed down by the route (which owns WeChat Pay). */
export interface PayAgainControl {
  start: () => void;
  working: boolean;
  /** A sentence when the last try failed. */
  error: string | null;
  /** The last try was refused because the order is no longer payable: load it again to show why. */
  settled: boolean;
}

/** A network hiccup or a 5xx while waiting for WeChat is worth another try; a 404 or a 401 is not. */
function isTransient(error: unknown): boolean {
  return isApiError(error) && (error.kind !== 'api' || error.status >= 500);
}

/**
 * After a cancel or a failure the user is usually right that nothing was paid, but not always (a user who paid
 * and closed the cashier without tapping 完成 gets cancel): ask a few times, then say 未支付 and offer 再次支付.
 * After ok, or on a plain visit, ask for longer: the notify (or the server's orderquery) is on its way.
 */
const SHORT_DELAYS_MS = backoffDelays({ attempts: 4 });

/**
 * One order. While it is PENDING the page shows 支付处理中 and asks the server again with backoff (the server,
 * reconciling with WeChat, is the truth — not the cashier's callback), then 支付成功 / 未支付 / 已关闭.
 */
export function OrderDetail({ outTradeNo, payAgain }: { outTradeNo: string; payAgain: PayAgainControl }) {
  const client = useApiClient();
  const location = useLocation();
  const { m, describeError, formatFen } = useI18n();
  const cashier = readCashierOutcome(location.state);
  const [state, setState] = useState<ViewState>({ kind: 'loading' });
  const [round, setRound] = useState(0);

  const checkAgain = useCallback(() => setRound((n) => n + 1), []);

  useEffect(() => {
    if (payAgain.settled) checkAgain();
  }, [payAgain.settled, checkAgain]);

  const shortPoll = cashier !== undefined && cashier.cashier !== 'ok';
  useEffect(() => {
    const controller = new AbortController();
    poll({
      load: (signal) => getOrder(client, outTradeNo, signal),
      isDone: (order) => order.status !== 'PENDING',
      onValue: (order) => setState({ kind: 'order', order, polling: order.status === 'PENDING' }),
      isTransient,
      ...(shortPoll && round === 0 ? { delaysMs: SHORT_DELAYS_MS } : {}),
      signal: controller.signal,
    }).then(
      (result) => {
        if (result.kind === 'gave_up') {
          if (result.value) setState({ kind: 'order', order: result.value, polling: false });
          else setState({ kind: 'error', error: result.lastError, notFound: false });
        }
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        const notFound = isApiError(error) && error.status === 404;
        setState({ kind: 'error', error, notFound });
      },
    );
    return () => controller.abort();
    // location.key: paying again navigates here again with the cashier's new answer, which starts a new poll.
  }, [client, outTradeNo, round, shortPoll, location.key]);

  if (state.kind === 'loading') return <Loading label={m.order.loading} testId="order-loading" />;
  if (state.kind === 'error') {
    return (
      <PageState
        icon="warn"
        title={state.notFound ? m.order.notFoundTitle : m.order.loadFailedTitle}
        testId="order-error"
        actions={
          <>
            {state.notFound ? null : (
              <button type="button" className="weui-btn weui-btn_primary" onClick={checkAgain}>
                {m.common.tryAgain}
              </button>
            )}
            <Link className="weui-btn weui-btn_default" to="/orders">
              {m.common.myOrders}
            </Link>
          </>
        }
      >
        <p>{describeError(state.error)}</p>
      </PageState>
    );
  }
  const { order, polling } = state;
  const content = describeStatus(order, polling, cashier, m, formatFen);
  const unpaid = order.status === 'PENDING' && !polling;
  return (
    <PageState
      icon={content.icon}
      title={content.title}
      testId="order-status"
      details={<OrderPreview order={order} />}
      actions={
        <>
          {unpaid ? (
            <button
              type="button"
              className={`weui-btn weui-btn_primary${payAgain.working ? ' weui-btn_loading' : ''}`}
              disabled={payAgain.working}
              data-testid="order-pay-again"
              onClick={payAgain.start}
            >
              {payAgain.working ? <i className="weui-loading" aria-hidden="true" /> : null}
              {payAgain.working ? m.order.payAgainWorking : m.order.payAgain}
            </button>
          ) : null}
          {unpaid ? (
            <button
              type="button"
              className="weui-btn weui-btn_default"
              data-testid="order-check-again"
              onClick={checkAgain}
            >
              {m.order.checkAgain}
            </button>
          ) : null}
          {order.status === 'PAID' ? (
            <Link className="weui-btn weui-btn_primary" to="/">
              {m.common.backHome}
            </Link>
          ) : null}
          <Link className="weui-btn weui-btn_default" to="/orders" data-testid="order-link-orders">
            {m.common.myOrders}
          </Link>
        </>
      }
    >
      <p
        className="weui-msg__desc"
        data-testid="order-status-text"
        data-status={order.status}
        data-polling={polling}
      >
        {content.text}
      </p>
      {payAgain.error ? (
        <p className="weui-cells__tips weui-cells__tips_warn" role="alert" data-testid="pay-again-error">
          {payAgain.error}
        </p>
      ) : null}
    </PageState>
  );
}

/** The order in WeUI's form-preview: the amount in the head, the facts below. */
function OrderPreview({ order }: { order: OrderView }) {
  const { m, formatFen, formatTime } = useI18n();
  const rows: Array<{ label: string; value: string; mono?: boolean; testId?: string }> = [
    { label: m.order.fields.outTradeNo, value: order.outTradeNo, mono: true, testId: 'order-out-trade-no' },
  ];
  if (order.description) rows.push({ label: m.order.fields.item, value: order.description });
  // What the server priced (orders placed before products existed have neither).
  if (order.unitPriceFen !== undefined) {
    rows.push({
      label: m.order.fields.unitPrice,
      value: formatFen(order.unitPriceFen),
      testId: 'order-unit-price',
    });
  }
  if (order.quantity !== undefined) {
    rows.push({ label: m.order.fields.quantity, value: String(order.quantity), testId: 'order-quantity' });
  }
  rows.push({ label: m.order.fields.createdAt, value: formatTime(order.createdAt) });
  if (order.paidAt) rows.push({ label: m.order.fields.paidAt, value: formatTime(order.paidAt) });
  if (order.transactionId) {
    rows.push({ label: m.order.fields.transactionId, value: order.transactionId, mono: true });
  }
  if (order.refundedFen > 0)
    rows.push({ label: m.order.fields.refunded, value: formatFen(order.refundedFen) });
  return (
    <div className="weui-form-preview">
      <div className="weui-form-preview__hd">
        <div className="weui-form-preview__item">
          <span className="weui-form-preview__label">{m.order.fields.amount}</span>
          <em className="weui-form-preview__value" data-testid="order-amount">
            {formatFen(order.amountFen)}
          </em>
        </div>
      </div>
      <div className="weui-form-preview__bd">
        {rows.map((row) => (
          <div className="weui-form-preview__item" key={row.label}>
            <span className="weui-form-preview__label">{row.label}</span>
            <span className={`weui-form-preview__value${row.mono ? ' mono' : ''}`} data-testid={row.testId}>
              {row.value}
            </span>
          </div>
        ))}
      </div>
    </div>
  );
}

function describeStatus(
  order: OrderView,
  polling: boolean,
  cashier: CashierOutcomeState | undefined,
  m: Messages,
  formatFen: (amountFen: number) => string,
): { icon: 'success' | 'waiting' | 'warn' | 'info'; title: string; text: string } {
  switch (order.status) {
    case 'PAID':
      return {
        icon: 'success',
        title: m.order.paidTitle,
        text:
          order.refundedFen > 0 ? m.order.paidPartlyRefunded(formatFen(order.refundedFen)) : m.order.paidText,
      };
    case 'PENDING':
      if (polling) return { icon: 'waiting', title: m.order.processingTitle, text: m.order.processingText };
      return {
        icon: 'warn',
        title: m.order.unpaidTitle,
        text:
          cashier?.cashier === 'cancel'
            ? m.order.cancelledText
            : cashier?.cashier === 'fail'
              ? m.order.failedText(cashierReason(cashier.errMsg))
              : m.order.unpaidText,
      };
    case 'CLOSED':
      return { icon: 'info', title: m.order.closedTitle, text: m.order.closedText };
    case 'REFUNDED':
      return { icon: 'info', title: m.order.refundedTitle, text: m.order.refundedText };
  }
}
