/**
 * What WeChat's cashier answered, carried from the pay button to the order page in the router's state (not in the
 * URL: a reload or a shared link must not replay it). The order page never takes it as the result — it shows
 * 支付处理中 and asks the server — but it words the unpaid state after a cancel or a failure.
 */
export interface CashierOutcomeState {
  cashier: 'ok' | 'cancel' | 'fail';
  errMsg: string;
}

export function readCashierOutcome(state: unknown): CashierOutcomeState | undefined {
  if (typeof state !== 'object' || state === null) return undefined;
  const { cashier, errMsg } = state as { cashier?: unknown; errMsg?: unknown };
  if (cashier !== 'ok' && cashier !== 'cancel' && cashier !== 'fail') return undefined;
  return { cashier, errMsg: typeof errMsg === 'string' ? errMsg : '' };
}

/** `get_brand_wcpay_request:fail` / `chooseWXPay:fail, reason` → the part after the api name. */
export function cashierReason(errMsg: string): string {
  return errMsg.replace(/^[A-Za-z_]+:/, '').trim() || errMsg;
}
