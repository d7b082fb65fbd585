// @wxh5/wechat-emulator: a local, strict WeChat (OAuth, tokens, tickets, Pay v2 and v3, notify delivery, the in-page
// WeixinJSBridge and a control API). See docs/emulator-contract.md.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEmulatorApp } from './create-emulator-app';
import { takeFault } from './http/apply-faults';
import { createHoldRegistry } from './hold-registry';
import { createNotifyDelivery } from './notify-delivery';
import type { NotifyLogEntry } from './notify-delivery';
import { createEmulatorState } from './state';
import type { EmulatorState } from './state';

export interface EmulatorOptions {
  /** Default 0 (a free port); main.ts passes 4000. */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Multiplies WeChat's notify retry schedule (15s, 15s, 30s, …); 0.001 → 15 ms. Default 1. */
  notifyTimeScale?: number;
  /** Timeout of one notify POST in ms. Default 5000. */
  notifyRequestTimeoutMs?: number;
  /** Default true: the demo app + merchant and the test users alice, bob, carol. */
  seedDemo?: boolean;
  /** Injected clock (ms); the control API can also advance it. */
  now?: () => number;
}

export interface EmulatorHandle {
  /** e.g. http://127.0.0.1:43121 (no trailing slash). */
  url: string;
  port: number;
  /** The live state, for tests that want to look inside. */
  state: EmulatorState;
  /** The notify delivery log (same as GET /__emulator/notifies). */
  notifies(): NotifyLogEntry[];
  /** Notify deliveries scheduled or in flight (0 when every sequence has ended). */
  pendingNotifies(): number;
  close(): Promise<void>;
}

export async function startWechatEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const state = createEmulatorState({
    ...(options.seedDemo === undefined ? {} : { seedDemo: options.seedDemo }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const holds = createHoldRegistry();
  const notifier = createNotifyDelivery({
    timeScale: options.notifyTimeScale ?? 1,
    now: () => state.now(),
    requestTimeoutMs: options.notifyRequestTimeoutMs ?? 5000,
    takeDrop: () => takeFault(state, 'notify') === 'drop',
    duplicates: () => state.notifyDuplicates,
  });
  const app = createEmulatorApp(state, { holds, notifier });
  const handler = app.callback();
  const server = createServer((req, res) => {
    void handler(req, res);
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    state,
    notifies: () => notifier.log(),
    pendingNotifies: () => notifier.pending(),
    close() {
      closing ??= (async () => {
        holds.releaseAll();
        await notifier.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // Browsers keep (and pre-open) connections; an emulator that is closing drops them all.
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}

export { createEmulatorApp } from './create-emulator-app';
export type { EmulatorAppDeps } from './create-emulator-app';
export {
  createEmulatorState,
  resetEmulatorState,
  openidFor,
  DEMO_APP_ID,
  DEMO_APP_SECRET,
  DEMO_MCH_ID,
  DEMO_PAY_KEY,
} from './state';
export {
  DEMO_API_V3_KEY,
  DEMO_MCH_CERT_SERIAL,
  DEMO_WECHATPAY_PUBLIC_KEY_ID,
  DEMO_KEY_FILES,
  VERIFICATION_MODES,
} from './v3/wechatpay-keys';
export type { VerificationMode, MerchantV3 } from './v3/wechatpay-keys';
export type {
  EmulatorState,
  EmulatorApp,
  EmulatorMerchant,
  EmulatorUser,
  EmulatorOrder,
  EmulatorRefund,
  FaultKind,
  OrderSignScheme,
  RefundStatus,
} from './state';
export { createNotifyDelivery, NOTIFY_RETRY_SCHEDULE_SECONDS } from './notify-delivery';
export type { NotifyDelivery, NotifyJob, NotifyLogEntry } from './notify-delivery';
export { createHoldRegistry } from './hold-registry';
export type { HoldRegistry } from './hold-registry';
