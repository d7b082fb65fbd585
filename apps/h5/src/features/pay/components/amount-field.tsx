import { useId } from 'react';
import { MAX_AMOUNT_FEN, MIN_AMOUNT_FEN } from '@wxh5/contracts/limits';
import { useI18n } from '@/shared/i18n/i18n-context';
import type { AmountProblem } from '@/shared/i18n/messages/zh-cn';

interface AmountFieldProps {
  /** As typed (yuan); `parseAmount` reads it. */
  value: string;
  onChange: (value: string) => void;
  /** Shown under the field (and the field marked invalid) after a refused 立即支付. */
  problem: AmountProblem | null;
}

/** The custom amount (yuan) in a WeUI form cell: a large ¥, the limits as a hint, a refusal in words. */
export function AmountField({ value, onChange, problem }: AmountFieldProps) {
  const { m, formatFen } = useI18n();
  const fieldId = useId();
  return (
    <>
      <div className="weui-cells weui-cells_form">
        <div className={`weui-cell weui-cell_active${problem ? ' weui-cell_warn' : ''}`}>
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
              value={value}
              maxLength={16}
              aria-invalid={problem ? true : undefined}
              aria-describedby={problem ? `${fieldId}-error` : `${fieldId}-hint`}
              data-testid="amount-input"
              onChange={(event) => onChange(event.target.value)}
            />
          </div>
        </div>
      </div>
      {problem ? (
        <p
          id={`${fieldId}-error`}
          className="weui-cells__tips weui-cells__tips_warn"
          role="alert"
          data-testid="amount-error"
        >
          {problem === 'too_large'
            ? m.pay.amountTooLarge(formatFen(MAX_AMOUNT_FEN))
            : m.pay.amountProblems[problem]}
        </p>
      ) : (
        <p id={`${fieldId}-hint`} className="weui-cells__tips">
          {m.pay.hint(formatFen(MIN_AMOUNT_FEN), formatFen(MAX_AMOUNT_FEN))}
        </p>
      )}
    </>
  );
}
