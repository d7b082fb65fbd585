import { describeError } from '@/shared/api-error';
import type { WxSetupState } from '../hooks/use-wx-setup';

function isShareOk(state: Extract<WxSetupState, { kind: 'configured' }>): boolean {
  return state.share !== null && /:ok$/.test(state.share.appMessage) && /:ok$/.test(state.share.timeline);
}

/** One line about the JS-SDK: configured and sharing, still configuring, or why not. */
export function WxStatus({ state }: { state: WxSetupState }) {
  let dataState: string;
  let text: string;
  if (state.kind === 'configuring') {
    dataState = 'configuring';
    text = 'Connecting to WeChat…';
  } else if (state.kind === 'configured') {
    dataState = state.share === null ? 'configured' : isShareOk(state) ? 'ready' : 'share-failed';
    text =
      dataState === 'ready'
        ? 'Connected to WeChat. Share this page from the ··· menu.'
        : dataState === 'configured'
          ? 'Connected to WeChat. Setting the share card…'
          : 'Connected to WeChat, but the share card could not be set.';
  } else if (state.wx.reason === 'not_wechat') {
    dataState = 'not-wechat';
    text = 'Open this page in WeChat to share and pay.';
  } else if (state.wx.reason === 'signature_unavailable') {
    dataState = 'unavailable';
    text = `WeChat features are unavailable: ${describeError(state.wx.requestError)}`;
  } else {
    dataState = 'unavailable';
    text = `WeChat features are unavailable (${state.wx.errMsg}).`;
  }
  const attempts = state.kind === 'configuring' ? 0 : state.wx.attempts;
  return (
    <p
      className={`wx-status wx-status--${dataState}`}
      role="status"
      data-testid="wx-status"
      data-state={dataState}
      data-attempts={attempts}
    >
      <span className="wx-status__dot" aria-hidden="true" />
      {text}
    </p>
  );
}
