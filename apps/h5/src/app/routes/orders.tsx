import { Link } from 'react-router-dom';
import { useEnsureWx } from '@/features/jssdk/hooks/use-ensure-wx';
import { OrderList } from '@/features/orders/components/order-list';
import { usePayAgain } from '@/features/pay/hooks/use-pay-again';
import { useI18n } from '@/shared/i18n/i18n-context';
import { useDocumentTitle } from '../use-document-title';

export default function OrdersRoute() {
  const { m } = useI18n();
  useDocumentTitle(m.titles.orders);
  const { state, payAgain } = usePayAgain(useEnsureWx());
  return (
    <div data-testid="orders-page">
      <div className="weui-cells__title">
        <Link to="/" data-testid="link-home">
          ‹ {m.common.home}
        </Link>
      </div>
      <h1 className="weui-cells__title">{m.titles.orders}</h1>
      <OrderList
        payAgain={{
          start: (outTradeNo) => void payAgain(outTradeNo),
          working: state.kind === 'working' ? state.outTradeNo : null,
          error: state.kind === 'failed' ? { outTradeNo: state.outTradeNo, message: state.message } : null,
        }}
      />
    </div>
  );
}
