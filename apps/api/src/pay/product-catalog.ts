import type { ProductUpsert } from '@wxh5/contracts';

/**
 * A product as the pay services see it, wherever it is kept. `priceFen` is the price of one unit; for a product that
 * allows a custom amount (a tip, a top-up) the suggested amount, and the user may pay any amount within the limits.
 * `title` becomes the order's description at WeChat (≤ 128 UTF-8 bytes; a longer one is cut there).
 */
export interface Product {
  id: string;
  title: string;
  description: string;
  priceFen: number;
  allowCustomAmount: boolean;
  active: boolean;
}

/** A product as this api's own table keeps it: with when it was created and last changed. */
export interface StoredProduct extends Product {
  createdAt: string;
  updatedAt: string;
}

/**
 * Where prices come from — the seam for a merchant who prices in its own system (an ERP, a CMS, a config file):
 * pass an implementation as `deps.catalog` and wxh5's order service prices every order from it, without any of
 * wxh5's services being edited. The default is `createTableProductCatalog` (the `products` table, written through
 * the admin routes).
 *
 * - `find` answers inactive products too (the order service refuses them as `product_inactive`, not as unknown).
 * - `writer` is what the admin routes use; a catalog without one is read-only here (the admin product routes answer
 *   405 `method_not_allowed`: the products are managed where they live).
 */
export interface ProductCatalog {
  listActive(): Promise<Product[]>;
  find(productId: string): Promise<Product | undefined>;
  readonly writer?: ProductCatalogWriter;
}

/** The merchant's side of a catalog (admin routes): every product, and create-or-replace. */
export interface ProductCatalogWriter {
  listAll(): Promise<StoredProduct[]>;
  /** Create the product or replace every field of it; `created` says which. */
  upsert(productId: string, product: ProductUpsert): Promise<{ product: StoredProduct; created: boolean }>;
}
