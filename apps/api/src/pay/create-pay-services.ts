import type { AppDeps } from '../deps';
import { observeWechatCalls } from '../metrics/create-metrics';
import { createPayClient, type PayClient, type PayClientOptions } from '../wechat/pay-client';
import { createPayNotifyHandler } from './handle-pay-notify';
import type { RawBodyResult } from './read-raw-body';
import type { NotifyResult } from './record-notification';
import { createRefundNotifyHandler } from './handle-refund-notify';
import { createOrderService, type OrderService } from './order-service';
import { createRefundService, type RefundService } from './refund-service';

export interface PayServices {
  payClient: PayClient;
  orders: OrderService;
  refunds: RefundService;
  /** A notify's body as readRawBody read it → the answer for WeChat (recorded in pay_notifications). */
  handlePayNotify: (body: RawBodyResult) => Promise<NotifyResult>;
  handleRefundNotify: (body: RawBodyResult) => Promise<NotifyResult>;
}

/** The v2 pay client for this app's merchant, from the config (and the client certificate createDeps read). */
export function createPayClientFor(
  deps: Pick<AppDeps, 'config' | 'logger' | 'payClientCertificate'> & Partial<Pick<AppDeps, 'metrics'>>,
  extra: Partial<Pick<PayClientOptions, 'clientCertificate' | 'maxAttempts' | 'retryDelayMs' | 'http'>> = {},
): PayClient {
  const { wechat } = deps.config;
  return createPayClient({
    // Presented on /secapi/ calls (refunds) only; see createDeps.
    ...(deps.payClientCertificate ? { clientCertificate: deps.payClientCertificate } : {}),
    appId: wechat.appId,
    mchId: wechat.mchId,
    key: wechat.payKey,
    signType: wechat.paySignType,
    baseUrl: wechat.payBaseUrl,
    timeoutMs: wechat.timeoutMs,
    logger: deps.logger,
    ...(deps.metrics ? { observe: observeWechatCalls(deps.metrics) } : {}),
    ...extra,
  });
}

export function createPayServices(
  deps: AppDeps,
  payClient: PayClient = createPayClientFor(deps),
): PayServices {
  return {
    payClient,
    orders: createOrderService(deps, payClient, createPayClientFor(deps, { maxAttempts: 1 })),
    refunds: createRefundService(deps, payClient),
    handlePayNotify: createPayNotifyHandler(deps),
    handleRefundNotify: createRefundNotifyHandler(deps),
  };
}
