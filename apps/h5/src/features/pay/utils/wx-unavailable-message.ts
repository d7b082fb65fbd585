import type { Messages } from '@/shared/i18n/messages/zh-cn';
import type { WxState } from '@/wechat/configure-wx';

/** Why WeChat Pay cannot open here, in the catalogue's words. */
export function wxUnavailableMessage(
  state: Exclude<WxState, { ok: true }>,
  m: Messages,
  describeError: (error: unknown) => string,
): string {
  switch (state.reason) {
    case 'not_wechat':
      return m.pay.notWechat;
    case 'signature_unavailable':
      return m.pay.notReady(describeError(state.requestError));
    case 'config_failed':
      return m.pay.configFailed(state.errMsg);
  }
}
