import { Link } from 'react-router-dom';
import { UserCard } from '@/features/auth/components/user-card';
import { WxStatus } from '@/features/jssdk/components/wx-status';
import { useWxSetup } from '@/features/jssdk/hooks/use-wx-setup';
import { PayForm } from '@/features/pay/components/pay-form';
import { useDocumentTitle } from '../use-document-title';

export default function HomeRoute() {
  useDocumentTitle('wxh5 · Pay');
  const { state, ensureWx } = useWxSetup();
  return (
    <div className="stack" data-testid="home">
      <UserCard />
      <WxStatus state={state} />
      <PayForm ensureWx={ensureWx} />
      <nav className="cells" aria-label="More">
        <Link className="cell cell--link" to="/orders" data-testid="link-orders">
          <span className="cell__body">
            <span className="cell__title">My orders</span>
          </span>
        </Link>
      </nav>
      <p className="footnote">Payments are processed by WeChat Pay. Amounts are in Chinese yuan (CNY).</p>
    </div>
  );
}
