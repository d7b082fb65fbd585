import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { useApiClient } from '@/shared/api-client-context';
import { describeError, isApiError } from '@/shared/api-error';
import { formatFen } from '@/shared/money';
import { chooseWxPay } from '@/wechat/choose-wx-pay';
import type { WxState } from '@/wechat/configure-wx';
import { createPayment } from '../api/create-payment';
import { parseAmount } from '../utils/parse-amount';

type Phase =
  | { kind: 'idle' }
  | { kind: 'working'; label: string }
  | { kind: 'cancelled'; outTradeNo: string; amountFen: number }
  | { kind: 'failed'; message: string; outTradeNo?: string };

const DESCRIPTION = 'wxh5 demo payment';

function wxUnavailableMessage(state: Exclude<WxState, { ok: true }>): string {
  switch (state.reason) {
    case 'not_wechat':
      return 'Open this page in WeChat to pay.';
    case 'signature_unavailable':
      return `WeChat Pay is not ready: ${describeError(state.requestError)}`;
    case 'config_failed':
      return `WeChat Pay is not ready (${state.errMsg}). Reload the page and try again.`;
  }
}

interface PayFormProps {
  /** Resolves once the JS-SDK is configured for this page (chooseWXPay needs it). */
  ensureWx: () => Promise<WxState>;
}

/** The amount field (yuan) and the pay button: payWallet → WeChat's cashier → the order page. */
export function PayForm({ ensureWx }: PayFormProps) {
  const client = useApiClient();
  const navigate = useNavigate();
  const fieldId = useId();
  const [amount, setAmount] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const busy = phase.kind === 'working';

  async function pay() {
    const parsed = parseAmount(amount);
    if (!parsed.ok) {
      setFieldError(parsed.message);
      return;
    }
    setFieldError(null);
    setPhase({ kind: 'working', label: 'Preparing WeChat Pay…' });
    const wx = await ensureWx();
    if (!wx.ok) {
      setPhase({ kind: 'failed', message: wxUnavailableMessage(wx) });
      return;
    }
    let payment;
    try {
      payment = await createPayment(client, { amountFen: parsed.amountFen, description: DESCRIPTION });
    } catch (error) {
      // A 401 has already started WeChat login (the page is about to leave); say why in case it cannot.
      if (isApiError(error) && error.isUnauthenticated) {
        setPhase({ kind: 'failed', message: 'Your WeChat session has expired. Signing you in again…' });
        return;
      }
      setPhase({ kind: 'failed', message: `WeChat Pay could not be started. ${describeError(error)}` });
      return;
    }
    setPhase({ kind: 'working', label: 'Waiting for WeChat Pay…' });
    const outcome = await chooseWxPay(payment.payParams);
    const { outTradeNo } = payment;
    if (outcome.result === 'ok') {
      // The cashier's "ok" is not proof of payment: the order page asks the server until WeChat's notify lands.
      void navigate(`/orders/${encodeURIComponent(outTradeNo)}`);
    } else if (outcome.result === 'cancel') {
      setPhase({ kind: 'cancelled', outTradeNo, amountFen: parsed.amountFen });
    } else {
      setPhase({
        kind: 'failed',
        outTradeNo,
        // The cashier's "fail" is no proof either way: only the order page (the server) knows if money moved.
        message: `WeChat Pay failed (${outcome.errMsg.replace(/^chooseWXPay:/, '')}). Check the order below to see whether it was paid.`,
      });
    }
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!busy) void pay();
  }

  const parsedPreview = parseAmount(amount);
  const buttonLabel = parsedPreview.ok ? `Pay ${formatFen(parsedPreview.amountFen)}` : 'Pay';

  return (
    <form className="card pay-form" onSubmit={onSubmit} noValidate data-testid="pay-form">
      <h2 className="card__title">Pay with WeChat</h2>
      <div className={`field${fieldError ? ' field--error' : ''}`}>
        <label className="field__label" htmlFor={fieldId}>
          Amount (yuan)
        </label>
        <div className="field__control">
          <span className="field__prefix" aria-hidden="true">
            ¥
          </span>
          <input
            id={fieldId}
            className="field__input"
            name="amount"
            type="text"
            inputMode="decimal"
            autoComplete="off"
            placeholder="0.00"
            value={amount}
            maxLength={16}
            aria-invalid={fieldError ? true : undefined}
            aria-describedby={fieldError ? `${fieldId}-error` : `${fieldId}-hint`}
            data-testid="amount-input"
            onChange={(event) => {
              setAmount(event.target.value);
              setFieldError(null);
            }}
          />
        </div>
        {fieldError ? (
          <p id={`${fieldId}-error`} className="field__error" role="alert" data-testid="amount-error">
            {fieldError}
          </p>
        ) : (
          <p id={`${fieldId}-hint`} className="field__hint">
            From ¥0.01 to ¥1,000,000, at most two decimals.
          </p>
        )}
      </div>
      <button type="submit" className="btn btn--primary" disabled={busy} data-testid="pay-button">
        {busy ? phase.label : buttonLabel}
      </button>
      <PayMessage phase={phase} />
    </form>
  );
}

function PayMessage({ phase }: { phase: Phase }) {
  if (phase.kind === 'cancelled') {
    return (
      <div className="notice notice--info" role="status" data-testid="pay-message" data-kind="cancelled">
        <p>
          Payment cancelled. Your order of {formatFen(phase.amountFen)} is kept as unpaid; nothing was
          charged.
        </p>
        <Link to={`/orders/${encodeURIComponent(phase.outTradeNo)}`} data-testid="pay-message-order">
          View order {phase.outTradeNo}
        </Link>
      </div>
    );
  }
  if (phase.kind === 'failed') {
    return (
      <div className="notice notice--warn" role="alert" data-testid="pay-message" data-kind="failed">
        <p>{phase.message}</p>
        {phase.outTradeNo ? (
          <Link to={`/orders/${encodeURIComponent(phase.outTradeNo)}`} data-testid="pay-message-order">
            Order {phase.outTradeNo} is kept
          </Link>
        ) : null}
      </div>
    );
  }
  return null;
}
