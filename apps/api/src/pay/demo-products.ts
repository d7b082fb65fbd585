import type { Kysely } from 'kysely';
import { isoAt } from '../store/iso-at';
import type { Database } from '../store/schema';
import type { Product } from './product-catalog';

/**
 * The demo's products (SEED_DEMO_PRODUCTS=true: the demo, dev:backend, the e2e stack and the api tests). Never put
 * in a migration: a production database must not sell them. The config refuses the flag with a production signal.
 */
export const DEMO_PRODUCTS: readonly Product[] = [
  {
    id: 'course',
    title: 'TypeScript 实战课程',
    description: '从类型到工程：二十讲，配套练习。',
    priceFen: 19_900,
    allowCustomAmount: false,
    active: true,
  },
  {
    id: 'vip-month',
    title: '月度会员',
    description: '一个月的会员权益。',
    priceFen: 3_000,
    allowCustomAmount: false,
    active: true,
  },
  {
    id: 'tip',
    title: '打赏',
    description: '金额随意，建议 ¥5。',
    priceFen: 500,
    allowCustomAmount: true,
    active: true,
  },
];

/**
 * Insert each demo product that is not there yet (at start-up; several instances may start at once). One the
 * merchant has changed since (another price, deactivated) is left as it is.
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
