import type { ProductView } from '@wxh5/contracts';
import { ProductPrice } from './product-price';

/** The head of a product page: its title, its description and the server's price. */
export function ProductSummary({ product }: { product: ProductView }) {
  return (
    <section className="weui-cells product-summary" data-testid="product-summary">
      <div className="weui-cell">
        <div className="weui-cell__bd">
          <h1 className="product-title" data-testid="product-title">
            {product.title}
          </h1>
          {product.description ? (
            <p className="weui-cell__desc" data-testid="product-description">
              {product.description}
            </p>
          ) : null}
        </div>
        <div className="weui-cell__ft">
          <ProductPrice product={product} />
        </div>
      </div>
    </section>
  );
}
