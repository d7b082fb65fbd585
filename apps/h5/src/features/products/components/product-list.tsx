import { Link } from 'react-router-dom';
import { Loading } from '@/shared/components/page-state';
import { useI18n } from '@/shared/i18n/i18n-context';
import { useProducts } from '../hooks/use-products';
import { ProductPrice } from './product-price';

/** The products on sale as WeUI cells: title and description, the server's price, a link to the product page. */
export function ProductList() {
  const { m, describeError } = useI18n();
  const { state, reload } = useProducts();
  return (
    <section data-testid="product-list">
      <h2 className="weui-cells__title">{m.products.title}</h2>
      {state.kind === 'loading' ? <Loading label={m.products.loading} testId="products-loading" /> : null}
      {state.kind === 'error' ? (
        <div className="weui-cells__tips weui-cells__tips_warn" role="alert" data-testid="products-error">
          {describeError(state.error)}{' '}
          <button type="button" className="weui-btn weui-btn_mini weui-btn_default" onClick={reload}>
            {m.common.tryAgain}
          </button>
        </div>
      ) : null}
      {state.kind === 'loaded' && state.products.length === 0 ? (
        <p className="weui-cells__tips" data-testid="products-empty">
          {m.products.empty}
        </p>
      ) : null}
      {state.kind === 'loaded' && state.products.length > 0 ? (
        <ul className="weui-cells">
          {state.products.map((product) => (
            <li key={product.id}>
              <Link
                className="weui-cell weui-cell_access"
                to={`/products/${encodeURIComponent(product.id)}`}
                data-testid="product-row"
                data-product-id={product.id}
              >
                <span className="weui-cell__bd">
                  <span className="product-row-title">{product.title}</span>
                  {product.description ? (
                    <span className="product-row-desc">{product.description}</span>
                  ) : null}
                </span>
                <span className="weui-cell__ft">
                  <ProductPrice product={product} />
                </span>
              </Link>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
