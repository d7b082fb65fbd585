import type { AdminProductView, ProductView } from '@wxh5/contracts';
import { CatalogReadOnlyError } from '../shared/catalog-read-only-error';
import type { Product, ProductCatalog, ProductCatalogWriter, StoredProduct } from './product-catalog';

export function toProductView(product: Product): ProductView {
  return {
    id: product.id,
    title: product.title,
    description: product.description,
    priceFen: product.priceFen,
    allowCustomAmount: product.allowCustomAmount,
  };
}

export function toAdminProductView(product: StoredProduct): AdminProductView {
  return {
    ...toProductView(product),
    active: product.active,
    createdAt: product.createdAt,
    updatedAt: product.updatedAt,
  };
}

/** The catalog's writer, or a `CatalogReadOnlyError` (405) when the products are managed elsewhere. */
export function catalogWriter(catalog: ProductCatalog): ProductCatalogWriter {
  if (!catalog.writer) throw new CatalogReadOnlyError();
  return catalog.writer;
}
