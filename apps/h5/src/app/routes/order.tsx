import { useParams } from 'react-router-dom';
import { OrderDetail } from '@/features/orders/components/order-detail';
import { useDocumentTitle } from '../use-document-title';

export default function OrderRoute() {
  useDocumentTitle('Order');
  const { outTradeNo = '' } = useParams();
  // Keyed: another order number is another poll, not a continuation of this one.
  return <OrderDetail key={outTradeNo} outTradeNo={outTradeNo} />;
}
