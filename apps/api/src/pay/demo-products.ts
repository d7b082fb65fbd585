import type { Kysely } from 'kysely';
import { isoAt } from '../store/iso-at';
import type { Database } from '../store/schema';
import { DEMO_PRODUCTS } from '@wxh5/contracts/demo-products';

/**
 * Insert each demo product that is not there yet (`@wxh5/contracts/demo-products`, the catalog the H5's mock mode
 * sells too; at start-up, several instances may start at once). One the merchant has changed since (another price,
 * deactivated) is left as it is. Never in a migration: a production database must not sell them, and the config
 * refuses SEED_DEMO_PRODUCTS with a production signal.
 */
export async function seedDemoProducts(db: Kysely<Database>, nowMs: number): Promise<void> {
  await db
    .insertInto('products')
    .values(
      // One millisecond apart: the list (oldest first) shows them in this order.
      DEMO_PRODUCTS.map((product, index) => ({
        id: product.id,
        title: product.title,
        description: product.description,
        price_fen: product.priceFen,
        allow_custom_amount: product.allowCustomAmount ? 1 : 0,
        active: product.active ? 1 : 0,
        created_at: isoAt(nowMs + index),
        updated_at: isoAt(nowMs + index),
      })),
    )
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}
