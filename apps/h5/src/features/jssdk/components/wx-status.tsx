import { useI18n } from '@/shared/i18n/i18n-context';
import type { WxSetupState } from '../hooks/use-wx-setup';

function isShareOk(state: Extract<WxSetupState, { kind: 'configured' }>): boolean {
  return state.share !== null && /:ok$/.test(state.share.appMessage) && /:ok$/.test(state.share.timeline);
}

/** One line about the JS-SDK: configured and sharing, still configuring, or why not. */
export function WxStatus({ state }: { state: WxSetupState }) {
  const { m, describeError } = useI18n();
  let dataState: string;
  let text: string;
  if (state.kind === 'configuring') {
    dataState = 'configuring';
    text = m.wx.configuring;
  } else if (state.kind === 'configured') {
    dataState = state.share === null ? 'configured' : isShareOk(state) ? 'ready' : 'share-failed';
    text =
      dataState === 'ready' ? m.wx.ready : dataState === 'configured' ? m.wx.configured : m.wx.shareFailed;
  } else if (state.wx.reason === 'not_wechat') {
    dataState = 'not-wechat';
    text = m.wx.notWechat;
  } else if (state.wx.reason === 'signature_unavailable') {
    dataState = 'unavailable';
    text = m.wx.unavailable(describeError(state.wx.requestError));
  } else {
    dataState = 'unavailable';
    text = m.wx.configFailed(state.wx.errMsg);
  }
  const attempts = state.kind === 'configuring' ? 0 : state.wx.attempts;
  return (
    <p
      className="weui-cells__tips wx-status"
      role="status"
      data-testid="wx-status"
      data-state={dataState}
      data-attempts={attempts}
    >
      {text}
    </p>
  );
}
