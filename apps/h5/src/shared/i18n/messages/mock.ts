import type { Locale } from '../locale';

/**
 * The mock mode's catalogue (the note, the fake cashier and share sheet), Chinese first. Its own file so that only
 * the mock (src/mock/, never in the production bundle) imports it.
 */
export const mockMessages = {
  'zh-CN': {
    note: '模拟模式：没有连接服务器，数据只保存在本页，支付不会扣款。',
    shareButton: '分享',
    shareNone: '页面还没有设置分享内容。',
    shareFriend: '发送给朋友',
    shareTimeline: '分享到朋友圈',
    close: '关闭',
    cashierTitle: '微信支付（模拟）',
    cashierMerchant: 'wxh5 模拟商户',
    cashierPay: '支付',
    cashierCancel: '取消',
    cashierUnknownOrder: '订单不存在或已不能支付。',
  },
  en: {
    note: 'Mock mode: no server, data lives in this page only, nothing is charged.',
    shareButton: 'Share',
    shareNone: 'The page has not set what to share yet.',
    shareFriend: 'Send to friend',
    shareTimeline: 'Share to Moments',
    close: 'Close',
    cashierTitle: 'WeChat Pay (mock)',
    cashierMerchant: 'wxh5 mock merchant',
    cashierPay: 'Pay',
    cashierCancel: 'Cancel',
    cashierUnknownOrder: 'The order does not exist or can no longer be paid.',
  },
} as const satisfies Record<Locale, Record<string, string>>;

export type MockMessages = (typeof mockMessages)[Locale];
