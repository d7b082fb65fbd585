import { useCallback, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { useApiClient } from '@/shared/api-client-context';
import { isApiError } from '@/shared/api-error';
import { useI18n } from '@/shared/i18n/i18n-context';
import { chooseWxPay } from '@/wechat/choose-wx-pay';
import type { WxState } from '@/wechat/configure-wx';
import { prepayOrder } from '../api/prepay-order';
import type { CashierOutcomeState } from '@/shared/cashier-outcome';
import { wxUnavailableMessage } from '../utils/wx-unavailable-message';

export type PayAgainState =
  | { kind: 'idle' }
  | { kind: 'working'; outTradeNo: string }
  /** `settled`: the server refused because the order is no longer payable (closed, expired or paid). */
  | { kind: 'failed'; outTradeNo: string; message: string; settled: boolean };

/**
 * 再次支付 for a PENDING order: fresh pay params for the same out_trade_no from the api, WeChat's cashier, then the
 * order page, which shows 支付处理中 and asks the server (the cashier's answer is carried, never trusted).
 */
export function usePayAgain(ensureWx: () => Promise<WxState>) {
  const client = useApiClient();
  const navigate = useNavigate();
  const { m, describeError } = useI18n();
  const [state, setState] = useState<PayAgainState>({ kind: 'idle' });

  const payAgain = useCallback(
    async (outTradeNo: string) => {
      setState({ kind: 'working', outTradeNo });
      const wx = await ensureWx();
      if (!wx.ok) {
        setState({
          kind: 'failed',
          outTradeNo,
          message: wxUnavailableMessage(wx, m, describeError),
          settled: false,
        });
        return;
      }
      let payment;
      try {
        payment = await prepayOrder(client, outTradeNo);
      } catch (error) {
        const settled =
          isApiError(error) && (error.slug === 'order_closed' || error.slug === 'order_already_paid');
        setState({ kind: 'failed', outTradeNo, message: describeError(error), settled });
        return;
      }
      const outcome = await chooseWxPay(payment.payParams);
      setState({ kind: 'idle' });
      const state: CashierOutcomeState = { cashier: outcome.result, errMsg: outcome.errMsg };
      void navigate(`/orders/${encodeURIComponent(outTradeNo)}`, { state });
    },
    [client, navigate, ensureWx, m, describeError],
  );

  return { state, payAgain };
}
