import type { AppDeps } from '../../../deps';
import { observeWechatCalls } from '../../../metrics/create-metrics';
import type { PayGateway } from '../pay-gateway';
import { createV2Gateway } from './create-v2-gateway';
import { createPayClient, type PayClient, type PayClientOptions } from './pay-client';

type V2Deps = Pick<AppDeps, 'config' | 'logger' | 'payClientCertificate'> & Partial<Pick<AppDeps, 'metrics'>>;

/** The API v2 key; the registry builds the v2 gateway only when one is configured. */
function v2KeyOf(deps: V2Deps): string {
  const key = deps.config.wechat.payKey;
  if (key === undefined) throw new Error('no WeChat Pay API v2 key configured (WECHAT_PAY_KEY)');
  return key;
}

/** The v2 pay client for this app's merchant, from the config (and the client certificate createDeps read). */
export function createPayClientFor(
  deps: V2Deps,
  extra: Partial<Pick<PayClientOptions, 'clientCertificate' | 'maxAttempts' | 'retryDelayMs' | 'http'>> = {},
): PayClient {
  const { wechat } = deps.config;
  return createPayClient({
    // Presented on /secapi/ calls (refunds) only; see createDeps.
    ...(deps.payClientCertificate ? { clientCertificate: deps.payClientCertificate } : {}),
    appId: wechat.appId,
    mchId: wechat.mchId,
    key: v2KeyOf(deps),
    signType: wechat.paySignType,
    baseUrl: wechat.payBaseUrl,
    timeoutMs: wechat.timeoutMs,
    logger: deps.logger,
    ...(deps.metrics ? { observe: observeWechatCalls(deps.metrics) } : {}),
    ...extra,
  });
}

/** The v2 gateway of this app's merchant (`client` replaces the configured client, e.g. in a test). */
export function createV2GatewayFor(deps: V2Deps, client: PayClient = createPayClientFor(deps)): PayGateway {
  const { wechat } = deps.config;
  return createV2Gateway({
    appId: wechat.appId,
    mchId: wechat.mchId,
    key: v2KeyOf(deps),
    client,
    onceClient: createPayClientFor(deps, { maxAttempts: 1 }),
    logger: deps.logger,
  });
}
