import { Link } from 'react-router-dom';
import { OrderList } from '@/features/orders/components/order-list';
import { useDocumentTitle } from '../use-document-title';

export default function OrdersRoute() {
  useDocumentTitle('My orders');
  return (
    <div className="stack" data-testid="orders-page">
      <header className="page-header">
        <Link className="page-header__back" to="/" data-testid="link-home">
          ‹ Home
        </Link>
        <h1 className="page-header__title">My orders</h1>
      </header>
      <OrderList />
    </div>
  );
}
