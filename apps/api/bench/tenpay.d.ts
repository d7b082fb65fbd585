// Just enough of node-tenpay (CommonJS, untyped) for the notify peer of the benchmark.
declare module 'tenpay' {
  import type { Middleware } from 'koa';
  class Payment {
    constructor(config: { appid: string; mchid: string; partnerKey: string }, debug?: boolean);
    /** Parses ctx.request.body (a string) into ctx.request.weixin, or answers FAIL; ctx.reply() answers SUCCESS. */
    middleware(type: 'pay' | 'refund'): Middleware;
  }
  export default Payment;
}
