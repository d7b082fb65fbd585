import { useCallback, useEffect, useState } from 'react';
import { useApiClient } from '@/shared/api-client-context';
import { useI18n } from '@/shared/i18n/i18n-context';
import type { Messages } from '@/shared/i18n/messages/zh-cn';
import { configureWx } from '@/wechat/configure-wx';
import type { WxState } from '@/wechat/configure-wx';
import { setShareData } from '@/wechat/share';
import type { ShareOutcome } from '@/wechat/share';
import { getJssdkSignature } from '../api/get-jssdk-signature';

export type WxSetupState =
  | { kind: 'configuring' }
  | { kind: 'configured'; wx: Extract<WxState, { ok: true }>; share: ShareOutcome | null }
  | { kind: 'unavailable'; wx: Exclude<WxState, { ok: true }> };

/** What "send to friend" / "Moments" show for this page: the public home page, never a user-specific URL. */
function shareContent(m: Messages) {
  const origin = window.location.origin;
  return {
    title: m.wx.shareTitle,
    desc: m.wx.shareDesc,
    link: `${origin}/`,
    imgUrl: `${origin}/share-icon.png`,
  };
}

/**
 * Configure the JS-SDK for the current page and set the share content. Returns the state and `ensureWx`, which
 * resolves once the SDK is configured (for chooseWXPay).
 */
export function useWxSetup(): { state: WxSetupState; ensureWx: () => Promise<WxState> } {
  const client = useApiClient();
  const { m } = useI18n();
  const [state, setState] = useState<WxSetupState>({ kind: 'configuring' });

  const ensureWx = useCallback(() => configureWx((url) => getJssdkSignature(client, url)), [client]);

  useEffect(() => {
    let active = true;
    void (async () => {
      const wx = await ensureWx();
      if (!active) return;
      if (!wx.ok) {
        setState({ kind: 'unavailable', wx });
        return;
      }
      setState({ kind: 'configured', wx, share: null });
      const share = await setShareData(shareContent(m));
      if (active) setState({ kind: 'configured', wx, share });
    })();
    return () => {
      active = false;
    };
  }, [ensureWx, m]);

  return { state, ensureWx };
}
