import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { useNavigate } from 'react-router-dom';
import { MAX_AMOUNT_FEN, MIN_AMOUNT_FEN } from '@wxh5/contracts/limits';
import { useApiClient } from '@/shared/api-client-context';
import { isApiError } from '@/shared/api-error';
import { useI18n } from '@/shared/i18n/i18n-context';
import type { AmountProblem } from '@/shared/i18n/messages/zh-cn';
import { chooseWxPay } from '@/wechat/choose-wx-pay';
import type { WxState } from '@/wechat/configure-wx';
import { createPayment } from '../api/create-payment';
import type { CashierOutcomeState } from '@/shared/cashier-outcome';
import { parseAmount } from '../utils/parse-amount';
import { wxUnavailableMessage } from '../utils/wx-unavailable-message';

/** The demo's custom-amount product: the only one whose price the user chooses. */
const TIP_PRODUCT_ID = 'tip';

type Phase =
  { kind: 'idle' } | { kind: 'working'; step: 'preparing' | 'waiting' } | { kind: 'failed'; message: string };

interface PayFormProps {
  /** Resolves once the JS-SDK is configured for this page (chooseWXPay needs it). */
  ensureWx: () => Promise<WxState>;
}

/**
 * The amount field (yuan) and the pay button: payWallet → WeChat's cashier → the order page, whatever the cashier
 * said. The order page shows 支付处理中 and asks the server; ok, cancel and fail are never taken as the result.
 */
export function PayForm({ ensureWx }: PayFormProps) {
  const client = useApiClient();
  const navigate = useNavigate();
  const { m, formatFen, describeError } = useI18n();
  const fieldId = useId();
  const [amount, setAmount] = useState('');
  const [fieldProblem, setFieldProblem] = useState<AmountProblem | null>(null);
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const busy = phase.kind === 'working';

  const problemText = (problem: AmountProblem) =>
    problem === 'too_large' ? m.pay.amountTooLarge(formatFen(MAX_AMOUNT_FEN)) : m.pay.amountProblems[problem];

  async function pay() {
    const parsed = parseAmount(amount);
    if (!parsed.ok) {
      setFieldProblem(parsed.problem);
      return;
    }
    setFieldProblem(null);
    setPhase({ kind: 'working', step: 'preparing' });
    const wx = await ensureWx();
    if (!wx.ok) {
      setPhase({ kind: 'failed', message: wxUnavailableMessage(wx, m, describeError) });
      return;
    }
    let payment;
    try {
      // The amount field buys the tip (the custom-amount product); the server prices every other product itself.
      payment = await createPayment(client, { productId: TIP_PRODUCT_ID, amountFen: parsed.amountFen });
    } catch (error) {
      // A 401 has already started WeChat login (the page is about to leave); say why in case it cannot.
      if (isApiError(error) && error.isUnauthenticated) {
        setPhase({ kind: 'failed', message: m.pay.sessionExpired });
        return;
      }
      setPhase({ kind: 'failed', message: m.pay.startFailed(describeError(error)) });
      return;
    }
    setPhase({ kind: 'working', step: 'waiting' });
    const outcome = await chooseWxPay(payment.payParams);
    // ok is not proof of payment, and cancel or fail is not proof of none (a user who paid and closed the cashier
    // without 完成 produces cancel): the order page asks the server until it knows.
    const state: CashierOutcomeState = { cashier: outcome.result, errMsg: outcome.errMsg };
    void navigate(`/orders/${encodeURIComponent(payment.outTradeNo)}`, { state });
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!busy) void pay();
  }

  const parsedPreview = parseAmount(amount);
  const buttonLabel = parsedPreview.ok
    ? m.pay.buttonAmount(formatFen(parsedPreview.amountFen))
    : m.pay.button;

  return (
    <form onSubmit={onSubmit} noValidate data-testid="pay-form">
      <h2 className="weui-cells__title">{m.pay.title}</h2>
      <div className="weui-cells weui-cells_form">
        <div className={`weui-cell weui-cell_active${fieldProblem ? ' weui-cell_warn' : ''}`}>
          <div className="weui-cell__hd">
            <label className="weui-label" htmlFor={fieldId}>
              {m.pay.amountLabel}
            </label>
          </div>
          <div className="weui-cell__bd weui-flex">
            <span className="amount-prefix" aria-hidden="true">
              ¥
            </span>
            <input
              id={fieldId}
              className="weui-input amount-input"
              name="amount"
              type="text"
              inputMode="decimal"
              autoComplete="off"
              placeholder="0.00"
              value={amount}
              maxLength={16}
              aria-invalid={fieldProblem ? true : undefined}
              aria-describedby={fieldProblem ? `${fieldId}-error` : `${fieldId}-hint`}
              data-testid="amount-input"
              onChange={(event) => {
                setAmount(event.target.value);
                setFieldProblem(null);
              }}
            />
          </div>
        </div>
      </div>
      {fieldProblem ? (
        <p
          id={`${fieldId}-error`}
          className="weui-cells__tips weui-cells__tips_warn"
          role="alert"
          data-testid="amount-error"
        >
          {problemText(fieldProblem)}
        </p>
      ) : (
        <p id={`${fieldId}-hint`} className="weui-cells__tips">
          {m.pay.hint(formatFen(MIN_AMOUNT_FEN), formatFen(MAX_AMOUNT_FEN))}
        </p>
      )}
      <div className="weui-btn-area">
        <button
          type="submit"
          className={`weui-btn weui-btn_primary${busy ? ' weui-btn_loading' : ''}`}
          disabled={busy}
          data-testid="pay-button"
        >
          {busy ? <i className="weui-loading" aria-hidden="true" /> : null}
          {busy ? (phase.step === 'preparing' ? m.pay.preparing : m.pay.waiting) : buttonLabel}
        </button>
      </div>
      {phase.kind === 'failed' ? (
        <p
          className="weui-cells__tips weui-cells__tips_warn"
          role="alert"
          data-testid="pay-message"
          data-kind="failed"
        >
          {phase.message}
        </p>
      ) : null}
    </form>
  );
}
