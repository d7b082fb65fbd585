import { fenToYuan } from '@wxh5/wechat-core/money';

/** `1234` → `'¥12.34'`: integer fen shown as yuan, without floating point. */
export function formatFen(amountFen: number): string {
  return `¥${fenToYuan(amountFen)}`;
}
