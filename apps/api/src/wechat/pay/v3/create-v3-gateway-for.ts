import type { PayV3Config } from '../../../config';
import type { AppDeps } from '../../../deps';
import { observeCredentialRefreshes, observeWechatCalls } from '../../../metrics/create-metrics';
import type { PayGateway } from '../pay-gateway';
import { createV3Gateway } from './create-v3-gateway';
import { createWechatpayKeys } from './create-wechatpay-keys';
import { createV3Client, type V3Client, type V3ClientOptions } from './v3-client';

export type V3Deps = Pick<AppDeps, 'config' | 'logger' | 'cache' | 'locks' | 'now'> &
  Partial<Pick<AppDeps, 'metrics'>>;

/** The v3 gateway of this app's merchant, from the config (`v3`: the loaded key material). */
export function createV3GatewayFor(
  deps: V3Deps,
  v3: PayV3Config,
  extra: Partial<Pick<V3ClientOptions, 'maxAttempts' | 'retryDelayMs' | 'http'>> = {},
): PayGateway {
  const { wechat } = deps.config;
  const clientFor = (maxAttempts?: number): V3Client =>
    createV3Client({
      mchId: wechat.mchId,
      merchantPrivateKey: v3.merchantPrivateKey,
      merchantCertSerial: v3.merchantCertSerial,
      baseUrl: wechat.payBaseUrl,
      timeoutMs: wechat.timeoutMs,
      keys,
      logger: deps.logger,
      now: deps.now,
      ...(deps.metrics ? { observe: observeWechatCalls(deps.metrics) } : {}),
      ...extra,
      ...(maxAttempts === undefined ? {} : { maxAttempts }),
    });
  // The keys download platform certificates through the client, and the client verifies with the keys.
  const keys = createWechatpayKeys({
    mchId: wechat.mchId,
    v3,
    cache: deps.cache,
    locks: deps.locks,
    logger: deps.logger,
    now: deps.now,
    call: (request) => client.call(request),
    ...(deps.metrics ? { observeRefresh: observeCredentialRefreshes(deps.metrics) } : {}),
  });
  const client = clientFor();
  return createV3Gateway({
    appId: wechat.appId,
    mchId: wechat.mchId,
    apiV3Key: v3.apiV3Key,
    merchantPrivateKey: v3.merchantPrivateKey,
    keys,
    client,
    onceClient: clientFor(1),
  });
}
