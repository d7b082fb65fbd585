import type { SignScheme } from '@wxh5/contracts';
import type { AppDeps } from '../../deps';
import type { NotifyRequest, PayGateway } from './pay-gateway';
import { createV2GatewayFor } from './v2/create-v2-gateway-for';
import { createV3GatewayFor } from './v3/create-v3-gateway-for';

/**
 * Every configured WeChat Pay protocol, live at once. A merchant moving from v2 to v3 keeps v2 orders (and their
 * notifies, queries and refunds) on v2 while new orders go to v3: an order remembers its sign scheme, and the
 * scheme picks the gateway. A notify carries no order before it is read, so its reader is picked by the body's
 * shape (v2: XML, v3: JSON).
 */
export interface PayGateways {
  /** The gateway new orders are placed with. */
  readonly current: PayGateway;
  /** The gateway of an order placed with `scheme`; throws when no configured gateway speaks it. */
  forScheme(scheme: SignScheme): PayGateway;
  /** The gateway whose format this notify is in; `current` when none recognises it (a refused body, garbage). */
  forNotify(notify: NotifyRequest): PayGateway;
}

/** The registry over a list of gateways; the first is `current`. */
export function createPayGatewayRegistry(gateways: readonly [PayGateway, ...PayGateway[]]): PayGateways {
  const [current] = gateways;
  return {
    current,
    forScheme(scheme) {
      const gateway = gateways.find((candidate) => candidate.signSchemes.includes(scheme));
      if (!gateway) throw new Error(`no configured WeChat Pay gateway speaks the sign scheme ${scheme}`);
      return gateway;
    },
    forNotify: (notify) => gateways.find((candidate) => candidate.recognises(notify)) ?? current,
  };
}

/**
 * The gateways this app's config enables. A new protocol adds its folder beside `v2/`, one config block, and one
 * entry here (first when new orders should use it); nothing in `src/pay/` changes.
 *
 * WECHAT_PAY_API=v3: v3 first (new orders), and v2 too while a v2 key is configured — the live switch: orders placed
 * under v2 keep being queried, closed, refunded and notified through v2, and a v2-signed notify for an RSA order is
 * refused (the order's scheme decides, see pay/handle-pay-notify.ts). WECHAT_PAY_API=v2: v2 only.
 */
export function createPayGateways(
  deps: Pick<AppDeps, 'config' | 'logger' | 'cache' | 'locks' | 'now'> &
    Partial<Pick<AppDeps, 'metrics' | 'payClientCertificate'>>,
  overrides: { v2?: PayGateway; v3?: PayGateway } = {},
): PayGateways {
  const { wechat } = deps.config;
  const v2 = overrides.v2 ?? (wechat.payKey === undefined ? undefined : createV2GatewayFor(deps));
  const v3 =
    wechat.payApi !== 'v3'
      ? undefined
      : (overrides.v3 ?? (wechat.payV3 ? createV3GatewayFor(deps, wechat.payV3) : undefined));
  const gateways = wechat.payApi === 'v3' ? [v3, v2] : [v2];
  const [first, ...rest] = gateways.filter((gateway): gateway is PayGateway => gateway !== undefined);
  if (!first) throw new Error(`WECHAT_PAY_API=${wechat.payApi}: its keys are not configured`);
  return createPayGatewayRegistry([first, ...rest]);
}
