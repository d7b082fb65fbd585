import { jweixin } from './jweixin';
import type { ShareInput, WxResult } from './jweixin';

export type { ShareInput } from './jweixin';

export interface ShareOutcome {
  appMessage: string;
  timeline: string;
}

function call(run: (done: (res: WxResult) => void) => void): Promise<string> {
  return new Promise((resolve) => run((res) => resolve(res.errMsg)));
}

/**
 * Set what "send to friend" and "share to Moments" show (`updateAppMessageShareData`,
 * `updateTimelineShareData`, both JS-SDK 1.4+). Call after a successful `configureWx`. Resolves with both errMsgs.
 */
export async function setShareData(share: ShareInput): Promise<ShareOutcome> {
  const [appMessage, timeline] = await Promise.all([
    call((done) => jweixin.updateAppMessageShareData({ ...share, complete: done })),
    call((done) =>
      jweixin.updateTimelineShareData({
        title: share.title,
        link: share.link,
        imgUrl: share.imgUrl,
        complete: done,
      }),
    ),
  ]);
  return { appMessage, timeline };
}
