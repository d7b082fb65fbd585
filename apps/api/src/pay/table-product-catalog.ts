import type { ProductUpsert } from '@wxh5/contracts';
import type { Kysely } from 'kysely';
import { isoAt } from '../store/iso-at';
import type { Database, ProductRow } from '../store/schema';
import type { ProductCatalog, StoredProduct } from './product-catalog';

function toProduct(row: ProductRow): StoredProduct {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    priceFen: row.price_fen,
    // 0/1 on SQLite, booleans on PostgreSQL (store/schema.ts).
    allowCustomAmount: Boolean(row.allow_custom_amount),
    active: Boolean(row.active),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const bit = (value: boolean): 0 | 1 => (value ? 1 : 0);

/**
 * The default catalog: the `products` table (migration 009), written by the admin routes (and, on a demo set-up,
 * seeded with the demo products at start-up). Each order reads its product by primary key.
 */
export function createTableProductCatalog(deps: { db: Kysely<Database>; now: () => number }): ProductCatalog {
  const { db } = deps;
  return {
    async listActive() {
      const rows = await db
        .selectFrom('products')
        .selectAll()
        .where('active', '=', 1)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toProduct);
    },
    async find(productId) {
      const row = await db.selectFrom('products').selectAll().where('id', '=', productId).executeTakeFirst();
      return row ? toProduct(row) : undefined;
    },
    writer: {
      async listAll() {
        const rows = await db
          .selectFrom('products')
          .selectAll()
          .orderBy('created_at')
          .orderBy('id')
          .execute();
        return rows.map(toProduct);
      },
      async upsert(productId: string, product: ProductUpsert) {
        const now = isoAt(deps.now());
        const fields = {
          title: product.title,
          description: product.description,
          price_fen: product.priceFen,
          allow_custom_amount: bit(product.allowCustomAmount),
          active: bit(product.active),
          updated_at: now,
        };
        return db.transaction().execute(async (trx) => {
          const existing = await trx
            .selectFrom('products')
            .select('id')
            .where('id', '=', productId)
            .executeTakeFirst();
          // Two PUTs of a new id at once: the second's insert becomes an update (created_at stays the first's).
          await trx
            .insertInto('products')
            .values({ id: productId, ...fields, created_at: now })
            .onConflict((oc) => oc.column('id').doUpdateSet(fields))
            .execute();
          const row = await trx
            .selectFrom('products')
            .selectAll()
            .where('id', '=', productId)
            .executeTakeFirstOrThrow();
          return { product: toProduct(row), created: existing === undefined };
        });
      },
    },
  };
}
