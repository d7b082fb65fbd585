import type { ProductView } from '@wxh5/contracts';
import { useI18n } from '@/shared/i18n/i18n-context';

/** The server's price of one unit; for a custom-amount product (a tip) the suggested amount, said as such. */
export function ProductPrice({ product }: { product: ProductView }) {
  const { m, formatFen } = useI18n();
  const price = formatFen(product.priceFen);
  return (
    <span className="product-price" data-testid="product-price">
      {product.allowCustomAmount ? m.products.suggested(price) : price}
    </span>
  );
}
