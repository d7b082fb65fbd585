import type { ProductView } from './products';

/** A product of the demo catalog: what the page sees, and whether it is still sold. */
export interface DemoProduct extends ProductView {
  active: boolean;
}

/**
 * The demo's catalog, in one place for both halves: the api seeds it with SEED_DEMO_PRODUCTS (the demo, dev:backend,
 * the e2e stack, the api tests; never a migration, never production) and the H5's mock mode sells the same products,
 * so the mock and a real local backend show the same page. A course and a membership at fixed prices, and a tip that
 * allows a custom amount (its price is the suggested one). Imported as `@wxh5/contracts/demo-products`, so no
 * production bundle carries it.
 */
export const DEMO_PRODUCTS: readonly DemoProduct[] = [
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
