import { Link } from 'react-router-dom';
import { UserCard } from '@/features/auth/components/user-card';
import { WxStatus } from '@/features/jssdk/components/wx-status';
import { useWxSetup } from '@/features/jssdk/hooks/use-wx-setup';
import { ProductList } from '@/features/products/components/product-list';
import { LanguageSwitch } from '@/shared/components/language-switch';
import { useI18n } from '@/shared/i18n/i18n-context';
import { useDocumentTitle } from '../use-document-title';

export default function HomeRoute() {
  const { m } = useI18n();
  useDocumentTitle(m.titles.home);
  // Configured on arrival: the status line, and the share card for "send to friend" and Moments.
  const { state } = useWxSetup();
  return (
    <div data-testid="home">
      <UserCard />
      <WxStatus state={state} />
      <ProductList />
      <nav className="weui-cells" aria-label={m.common.more}>
        <Link className="weui-cell weui-cell_access" to="/orders" data-testid="link-orders">
          <span className="weui-cell__bd">{m.common.myOrders}</span>
          <span className="weui-cell__ft" />
        </Link>
      </nav>
      <LanguageSwitch />
    </div>
  );
}
