import { isWechatUserAgent } from './platform';

type BridgeCallback = (res: Record<string, unknown>) => void;

/** `window.WeixinJSBridge`, the native side that jweixin talks to (the emulator's bridge in demos and tests). */
export interface WeixinJSBridge {
  invoke(name: string, params: Record<string, unknown>, callback: BridgeCallback): void;
}

function currentBridge(): WeixinJSBridge | undefined {
  return (window as unknown as { WeixinJSBridge?: WeixinJSBridge }).WeixinJSBridge;
}

let readyPromise: Promise<WeixinJSBridge | null> | undefined;

/**
 * The bridge once WeChat has injected it, or null outside WeChat (no MicroMessenger user agent), where jweixin
 * never calls back and the page must say "open this in WeChat" instead of waiting.
 */
export function whenBridgeReady(): Promise<WeixinJSBridge | null> {
  readyPromise ??= new Promise((resolve) => {
    if (!isWechatUserAgent(navigator.userAgent)) {
      resolve(null);
      return;
    }
    const bridge = currentBridge();
    if (bridge) {
      resolve(bridge);
      return;
    }
    document.addEventListener('WeixinJSBridgeReady', () => resolve(currentBridge() ?? null), { once: true });
  });
  return readyPromise;
}

/**
 * Resolve with the normalised `errMsg` of the bridge's answer to the next `preVerifyJSAPI` (what `wx.config`
 * sends). jweixin only reports the outcome of the FIRST `wx.config` (later `wx.ready` callbacks run at once), so
 * a retried config needs this to learn whether the second signature passed. The wrapper sits on the bridge for
 * exactly one call and hands jweixin its own callback first, so jweixin's `errMsg` normalisation is what we read.
 */
export function observeNextPreVerify(bridge: WeixinJSBridge): Promise<string> {
  return new Promise((resolve) => {
    // Kept unbound on purpose: it is put back as it was and always called with `.call(bridge, …)`.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const original = bridge.invoke;
    bridge.invoke = function invoke(name, params, callback) {
      if (name !== 'preVerifyJSAPI') {
        original.call(bridge, name, params, callback);
        return;
      }
      bridge.invoke = original;
      original.call(bridge, name, params, (res) => {
        callback(res);
        const errMsg = res.errMsg ?? res.err_msg;
        resolve(typeof errMsg === 'string' ? errMsg : 'config:fail');
      });
    };
  });
}
