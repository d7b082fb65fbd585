import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import type { PayWalletRequest, ProductView } from '@wxh5/contracts';
import { MAX_QUANTITY } from '@wxh5/contracts/limits';
import { fenToYuan } from '@wxh5/wechat-core/money';
import { useI18n } from '@/shared/i18n/i18n-context';
import type { AmountProblem } from '@/shared/i18n/messages/zh-cn';
import type { BuyPhase } from '../hooks/use-buy';
import { parseAmount } from '../utils/parse-amount';
import { AmountField } from './amount-field';

const QUANTITIES = Array.from({ length: MAX_QUANTITY }, (_, index) => index + 1);

interface BuyFormProps {
  product: ProductView;
  /** 立即支付, owned by the route (`useBuy`): payWallet → the cashier → the order page. */
  buy: { start: (request: PayWalletRequest) => void; phase: BuyPhase };
}

/**
 * What the user chooses before 立即支付. A fixed-price product: the quantity (1–99) and the total it makes; the
 * request names the product and the quantity, never an amount — the server prices it. A product that allows a
 * custom amount (a tip): the amount field, starting at the suggested price, checked here before anything is asked
 * of WeChat or the api.
 */
export function BuyForm({ product, buy }: BuyFormProps) {
  const { m, formatFen } = useI18n();
  const quantityId = useId();
  const [quantity, setQuantity] = useState(1);
  const [amount, setAmount] = useState(() => fenToYuan(product.priceFen));
  const [amountProblem, setAmountProblem] = useState<AmountProblem | null>(null);
  const busy = buy.phase.kind === 'working';

  const parsedAmount = product.allowCustomAmount ? parseAmount(amount) : null;
  const totalFen = parsedAmount
    ? parsedAmount.ok
      ? parsedAmount.amountFen
      : null
    : product.priceFen * quantity;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    if (!parsedAmount) {
      buy.start({ productId: product.id, quantity });
      return;
    }
    if (!parsedAmount.ok) {
      setAmountProblem(parsedAmount.problem);
      return;
    }
    buy.start({ productId: product.id, amountFen: parsedAmount.amountFen });
  }

  return (
    <form onSubmit={onSubmit} noValidate data-testid="buy-form">
      {product.allowCustomAmount ? (
        <AmountField
          value={amount}
          problem={amountProblem}
          onChange={(value) => {
            setAmount(value);
            setAmountProblem(null);
          }}
        />
      ) : (
        <div className="weui-cells weui-cells_form">
          <div className="weui-cell weui-cell_active weui-cell_select weui-cell_select-after">
            <div className="weui-cell__hd">
              <label className="weui-label" htmlFor={quantityId}>
                {m.products.quantity}
              </label>
            </div>
            <div className="weui-cell__bd">
              <select
                id={quantityId}
                className="weui-select"
                name="quantity"
                value={quantity}
                data-testid="quantity-select"
                onChange={(event) => setQuantity(Number(event.target.value))}
              >
                {QUANTITIES.map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
            </div>
          </div>
        </div>
      )}
      <div className="weui-cells">
        <div className="weui-cell">
          <div className="weui-cell__bd">{m.products.total}</div>
          <div className="weui-cell__ft buy-total" data-testid="buy-total">
            {totalFen === null ? '—' : formatFen(totalFen)}
          </div>
        </div>
      </div>
      <div className="weui-btn-area">
        <button
          type="submit"
          className={`weui-btn weui-btn_primary${busy ? ' weui-btn_loading' : ''}`}
          disabled={busy}
          data-testid="pay-button"
        >
          {busy ? <i className="weui-loading" aria-hidden="true" /> : null}
          {buy.phase.kind === 'working'
            ? buy.phase.step === 'preparing'
              ? m.pay.preparing
              : m.pay.waiting
            : m.pay.button}
        </button>
      </div>
      {buy.phase.kind === 'failed' ? (
        <p
          className="weui-cells__tips weui-cells__tips_warn"
          role="alert"
          data-testid="pay-message"
          data-kind="failed"
        >
          {buy.phase.message}
        </p>
      ) : null}
    </form>
  );
}
