/* eslint-disable no-restricted-syntax -- the catalog's titles are the merchant's data, as the api seeds them, not
   the page's copy: the page shows what the server sends, in whatever language the merchant wrote it. */
import type { ProductView } from '@wxh5/contracts';

/** A product as the mock's catalog keeps it: what the page sees, and whether it is still sold. */
export interface MockProduct extends ProductView {
  active: boolean;
}

/**
 * The api's demo catalog (its `DEMO_PRODUCTS`, seeded with SEED_DEMO_PRODUCTS): a course and a membership at fixed
 * prices, and a tip that allows a custom amount (its price is the suggested one).
 */
export const MOCK_PRODUCTS: readonly MockProduct[] = [
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
