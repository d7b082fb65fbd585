// Just enough of node-tenpay (CommonJS, untyped) for the interop tests.
declare module 'tenpay' {
  interface TenpayConfig {
    appid: string;
    mchid: string;
    partnerKey: string;
    notify_url?: string;
    refund_url?: string;
    spbill_create_ip?: string;
  }
  class Payment {
    constructor(config: TenpayConfig, debug?: boolean);
    urls: Record<string, string>;
    unifiedOrder(params: Record<string, string | number>): Promise<Record<string, string>>;
    orderQuery(params: Record<string, string | number>): Promise<Record<string, string>>;
    closeOrder(params: Record<string, string | number>): Promise<Record<string, string>>;
    getPayParamsByPrepay(params: { prepay_id: string }, signType?: string): Record<string, string>;
    _parse(xml: string, type: string, signType?: string): Promise<Record<string, unknown>>;
  }
  export default Payment;
}
