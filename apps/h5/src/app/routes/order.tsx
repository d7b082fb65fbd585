import { useParams } from 'react-router-dom';
import { useEnsureWx } from '@/features/jssdk/hooks/use-ensure-wx';
import { OrderDetail } from '@/features/orders/components/order-detail';
import { usePayAgain } from '@/features/pay/hooks/use-pay-again';
import { useI18n } from '@/shared/i18n/i18n-context';
import { useDocumentTitle } from '../use-document-title';

export default function OrderRoute() {
  const { m } = useI18n();
  useDocumentTitle(m.titles.order);
  const { outTradeNo = '' } = useParams();
  const { state, payAgain } = usePayAgain(useEnsureWx());
  const failed = state.kind === 'failed' ? state : null;
  // Keyed: another order number is another poll, not a continuation of this one.
  return (
    <OrderDetail
      key={outTradeNo}
      outTradeNo={outTradeNo}
      payAgain={{
        start: () => void payAgain(outTradeNo),
        working: state.kind === 'working',
        error: failed?.message ?? null,
        settled: failed?.settled ?? false,
      }}
    />
  );
}
