import { useCallback, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import type { PayWalletRequest } from '@wxh5/contracts';
import { useApiClient } from '@/shared/api-client-context';
import { isApiError } from '@/shared/api-error';
import type { CashierOutcomeState } from '@/shared/cashier-outcome';
import { useI18n } from '@/shared/i18n/i18n-context';
import { chooseWxPay } from '@/wechat/choose-wx-pay';
import type { WxState } from '@/wechat/configure-wx';
import { createPayment } from '../api/create-payment';
import { wxUnavailableMessage } from '../utils/wx-unavailable-message';

export type BuyPhase =
  | { kind: 'idle' }
  | { kind: 'working'; step: 'preparing' | 'waiting' }
  /** `slug`: the api's refusal, when it was one (the page may show more than a sentence for it). */
  | { kind: 'failed'; message: string; slug: string | null };

/**
 * 立即支付: payWallet (the server prices the order) → WeChat's cashier → the order page, whatever the cashier said.
 * The order page shows 支付处理中 and asks the server; ok, cancel and fail are never taken as the result (a user who
 * paid and closed the cashier without 完成 produces cancel).
 */
export function useBuy(ensureWx: () => Promise<WxState>) {
  const client = useApiClient();
  const navigate = useNavigate();
  const { m, describeError } = useI18n();
  const [phase, setPhase] = useState<BuyPhase>({ kind: 'idle' });

  const buy = useCallback(
    async (request: PayWalletRequest) => {
      setPhase({ kind: 'working', step: 'preparing' });
      const wx = await ensureWx();
      if (!wx.ok) {
        setPhase({ kind: 'failed', message: wxUnavailableMessage(wx, m, describeError), slug: null });
        return;
      }
      let payment;
      try {
        payment = await createPayment(client, request);
      } catch (error) {
        const slug = isApiError(error) ? error.slug : null;
        // A 401 has already started WeChat login (the page is about to leave); say why in case it cannot.
        const message =
          isApiError(error) && error.isUnauthenticated
            ? m.pay.sessionExpired
            : m.pay.startFailed(describeError(error));
        setPhase({ kind: 'failed', message, slug });
        return;
      }
      setPhase({ kind: 'working', step: 'waiting' });
      const outcome = await chooseWxPay(payment.payParams);
      const state: CashierOutcomeState = { cashier: outcome.result, errMsg: outcome.errMsg };
      void navigate(`/orders/${encodeURIComponent(payment.outTradeNo)}`, { state });
    },
    [client, navigate, ensureWx, m, describeError],
  );

  return { phase, buy };
}
