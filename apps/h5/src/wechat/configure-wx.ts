import { observeNextPreVerify, whenBridgeReady } from './bridge';
import { jweixin } from './jweixin';
import { getLandingUrl } from './landing-url';
import { detectPlatform } from './platform';
import { runConfigAttempts } from './run-config-attempts';
import type { WxSignature } from './run-config-attempts';
import { signatureUrlCandidates, stripFragment } from './signature-url';

export type { WxConfigOutcome, WxSignature } from './run-config-attempts';

/** The JS-SDK's state for this page; `reason` says why it is not usable. */
export type WxState =
  | { ok: true; signedUrl: string; attempts: number }
  | { ok: false; reason: 'not_wechat'; errMsg: string; attempts: 0 }
  | { ok: false; reason: 'config_failed'; errMsg: string; attempts: number }
  | { ok: false; reason: 'signature_unavailable'; errMsg: string; attempts: number; requestError: unknown };

let current: { key: string; promise: Promise<WxState> } | undefined;

/**
 * Configure the JS-SDK for this page: sign the URL this platform checks (iOS: the landing URL; Android: the
 * current one) through `fetchSignature` (the api's `/api/wechat/jssdk`), and retry once with the other URL on
 * `config:invalid signature`. Repeated calls for the same URLs share one attempt, unless it failed.
 */
export function configureWx(fetchSignature: (url: string) => Promise<WxSignature>): Promise<WxState> {
  const urls = signatureUrlCandidates({
    platform: detectPlatform(navigator.userAgent),
    landingUrl: getLandingUrl(),
    currentUrl: stripFragment(window.location.href),
  });
  const key = urls.join('\n');
  if (current?.key === key) return current.promise;
  const promise = configure(urls, fetchSignature);
  current = { key, promise };
  promise.then(
    (state) => {
      if (!state.ok && current?.promise === promise) current = undefined;
    },
    () => {},
  );
  return promise;
}

async function configure(
  urls: string[],
  fetchSignature: (url: string) => Promise<WxSignature>,
): Promise<WxState> {
  const bridge = await whenBridgeReady();
  if (!bridge) {
    return { ok: false, reason: 'not_wechat', errMsg: 'config:not in WeChat', attempts: 0 };
  }
  let attempts = 0;
  try {
    const outcome = await runConfigAttempts({
      urls,
      fetchSignature: (url) => {
        attempts += 1;
        return fetchSignature(url);
      },
      applyConfig: (signature) => {
        const answer = observeNextPreVerify(bridge);
        jweixin.config({ debug: false, ...signature });
        return answer;
      },
    });
    return outcome.ok ? outcome : { ...outcome, reason: 'config_failed' };
  } catch (requestError) {
    return {
      ok: false,
      reason: 'signature_unavailable',
      errMsg: 'config:signature unavailable',
      attempts,
      requestError,
    };
  }
}
