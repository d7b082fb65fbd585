import { Link, useParams } from 'react-router-dom';
import { useEnsureWx } from '@/features/jssdk/hooks/use-ensure-wx';
import { BuyForm } from '@/features/pay/components/buy-form';
import { useBuy } from '@/features/pay/hooks/use-buy';
import { ProductSummary } from '@/features/products/components/product-summary';
import { useProducts } from '@/features/products/hooks/use-products';
import { Loading, PageState } from '@/shared/components/page-state';
import { useI18n } from '@/shared/i18n/i18n-context';
import type { WxState } from '@/wechat/configure-wx';
import { useDocumentTitle } from '../use-document-title';

/**
 * One product: its title, description and price, then 立即支付 (quantity or, for a tip, the amount). An id the
 * catalog does not list — unknown, or no longer sold — is a page of its own, as is a payWallet that answers so.
 */
export default function ProductRoute() {
  const { productId = '' } = useParams();
  return <ProductPage productId={productId} ensureWx={useEnsureWx()} />;
}

/** The page itself, given the product id and how to get the JS-SDK ready for the cashier (tests pass their own). */
export function ProductPage({
  productId,
  ensureWx,
}: {
  productId: string;
  ensureWx: () => Promise<WxState>;
}) {
  const { m, describeError } = useI18n();
  const { state, reload } = useProducts();
  const { phase, buy } = useBuy(ensureWx);
  const product = state.kind === 'loaded' ? state.products.find((p) => p.id === productId) : undefined;
  useDocumentTitle(product?.title ?? m.titles.product);

  const backHome = (
    <div className="weui-cells__title">
      <Link to="/" data-testid="link-home">
        ‹ {m.common.home}
      </Link>
    </div>
  );
  if (state.kind === 'loading') return <Loading label={m.products.loading} testId="product-loading" />;
  if (state.kind === 'error') {
    return (
      <PageState
        icon="warn"
        title={m.products.loadFailedTitle}
        testId="product-error"
        actions={
          <button type="button" className="weui-btn weui-btn_primary" onClick={reload}>
            {m.common.tryAgain}
          </button>
        }
      >
        <p>{describeError(state.error)}</p>
      </PageState>
    );
  }
  // payWallet's answer when the product was removed or deactivated after this page listed it.
  const gone =
    phase.kind === 'failed' && (phase.slug === 'unknown_product' || phase.slug === 'product_inactive')
      ? phase.slug
      : null;
  if (!product || gone) {
    return (
      <PageState
        icon="info"
        title={m.products.unavailableTitle}
        testId="product-unavailable"
        actions={
          <Link className="weui-btn weui-btn_primary" to="/">
            {m.common.backHome}
          </Link>
        }
      >
        <p>{gone ? m.errors[gone] : m.products.unavailableText}</p>
      </PageState>
    );
  }
  return (
    <div data-testid="product-page" data-product-id={product.id}>
      {backHome}
      <ProductSummary product={product} />
      <BuyForm key={product.id} product={product} buy={{ start: (request) => void buy(request), phase }} />
    </div>
  );
}
