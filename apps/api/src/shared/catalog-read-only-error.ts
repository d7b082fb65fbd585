/**
 * The admin product routes were asked to read or write a product catalog that this api cannot manage (one passed in
 * `deps.catalog` without a writer: the merchant keeps its products in its own system). handleErrors answers 405.
 */
export class CatalogReadOnlyError extends Error {
  override readonly name = 'CatalogReadOnlyError';
  constructor() {
    super('the configured product catalog has no writer');
  }
}
