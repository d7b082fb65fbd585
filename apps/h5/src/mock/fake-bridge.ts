import { fenToYuan } from '@wxh5/wechat-core/money';
import type { MockMessages } from '@/shared/i18n/messages/mock';
import type { MockStore } from './mock-store';

type BridgeCallback = (res: Record<string, unknown>) => void;

/** What the page set for "send to friend" / "Moments", as the fake WeChat remembers it. */
export interface MockShares {
  appMessage?: { title: string; desc: string; link: string };
  timeline?: { title: string; link: string };
}

export interface FakeBridge {
  shares: MockShares;
}

/** A bridge parameter as text (jweixin passes strings; anything else counts as empty). */
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

const WECHAT_UA_SUFFIX = ' MicroMessenger/8.0.42(0x18002a2d) NetType/WIFI Language/zh_CN';

/**
 * A stand-in for WeChat's native side, for the H5's mock mode: a MicroMessenger user agent (jweixin and the H5
 * only talk to a bridge inside WeChat), `window.WeixinJSBridge` answering `wx.config` with `config:ok`, recording
 * the share cards, and a cashier sheet for `chooseWXPay` whose Pay button marks the order paid in the mock store,
 * as WeChat's notify would on the server. Install it before weixin-js-sdk loads.
 */
export function installFakeBridge(store: MockStore, m: MockMessages): FakeBridge {
  const bridge: FakeBridge = { shares: {} };
  const userAgent = navigator.userAgent;
  if (!/micromessenger/i.test(userAgent)) {
    Object.defineProperty(navigator, 'userAgent', {
      get: () => userAgent + WECHAT_UA_SUFFIX,
      configurable: true,
    });
  }

  const answer = (callback: BridgeCallback | undefined, result: Record<string, unknown>) => {
    // Native callbacks arrive asynchronously.
    if (callback) setTimeout(() => callback(result), 0);
  };

  const invoke = (name: string, params: Record<string, unknown> = {}, callback?: BridgeCallback) => {
    switch (name) {
      case 'preVerifyJSAPI':
        answer(callback, { err_msg: 'config:ok' });
        return;
      case 'updateAppMessageShareData':
        bridge.shares.appMessage = {
          title: text(params.title),
          desc: text(params.desc),
          link: text(params.link),
        };
        answer(callback, { err_msg: `${name}:ok` });
        return;
      case 'updateTimelineShareData':
        bridge.shares.timeline = { title: text(params.title), link: text(params.link) };
        answer(callback, { err_msg: `${name}:ok` });
        return;
      case 'getBrandWCPayRequest':
        openCashier(store, m, params, (result) => answer(callback, result));
        return;
      case 'getNetworkType':
        answer(callback, { err_msg: 'network_type:wifi', subtype: 'wifi' });
        return;
      default:
        answer(callback, { err_msg: `${name}:fail, the mock does not implement this API` });
    }
  };

  Object.assign(window, { WeixinJSBridge: { invoke, on: () => {}, call: () => {} } });
  setTimeout(() => document.dispatchEvent(new Event('WeixinJSBridgeReady')), 0);
  return bridge;
}

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string>,
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  node.append(...children);
  return node;
}

/** A bottom sheet like WeChat's cashier: the merchant, the amount, the description, Pay and Cancel. */
function openCashier(
  store: MockStore,
  m: MockMessages,
  params: Record<string, unknown>,
  done: (result: Record<string, unknown>) => void,
): void {
  const prepayId = text(params.package).replace(/^prepay_id=/, '');
  const order = store.payableOrderOf(prepayId);
  if (!order) {
    done({ err_msg: 'get_brand_wcpay_request:fail', err_desc: m.cashierUnknownOrder });
    return;
  }
  const pay = element(
    'button',
    { type: 'button', 'data-testid': 'mock-cashier-pay', class: 'mock-sheet__primary' },
    m.cashierPay,
  );
  const cancel = element(
    'button',
    { type: 'button', 'data-testid': 'mock-cashier-cancel', class: 'mock-sheet__secondary' },
    m.cashierCancel,
  );
  const sheet = element(
    'div',
    { class: 'mock-sheet', role: 'dialog', 'aria-label': m.cashierTitle, 'data-testid': 'mock-cashier' },
    element('p', { class: 'mock-sheet__title' }, m.cashierTitle),
    element('p', { class: 'mock-sheet__merchant' }, m.cashierMerchant),
    element(
      'p',
      { class: 'mock-sheet__amount', 'data-testid': 'mock-cashier-amount' },
      `¥${fenToYuan(order.amountFen)}`,
    ),
    element('p', { class: 'mock-sheet__merchant' }, order.description),
    pay,
    cancel,
  );
  const backdrop = element('div', { class: 'mock-backdrop' }, sheet);
  const finish = (result: Record<string, unknown>) => {
    backdrop.remove();
    done(result);
  };
  pay.addEventListener('click', () => {
    store.markPaid(order.outTradeNo);
    finish({ err_msg: 'get_brand_wcpay_request:ok' });
  });
  cancel.addEventListener('click', () => finish({ err_msg: 'get_brand_wcpay_request:cancel' }));
  document.body.append(backdrop);
  pay.focus();
}

/**
 * The note at the top of every mock page ("this is the mock"), with a Share button that shows what the page set
 * for "send to friend" and "Moments" (WeChat's ··· menu, which a desktop browser does not have).
 */
export function showMockNote(bridge: FakeBridge, m: MockMessages): void {
  const share = element(
    'button',
    { type: 'button', class: 'mock-note__button', 'data-testid': 'mock-share' },
    m.shareButton,
  );
  const note = element(
    'div',
    { class: 'mock-note', role: 'note', 'data-testid': 'mock-note' },
    element('span', {}, m.note),
    share,
  );
  share.addEventListener('click', () => {
    const lines: Node[] = [];
    const { appMessage, timeline } = bridge.shares;
    if (appMessage)
      lines.push(
        element(
          'p',
          { 'data-testid': 'mock-share-friend' },
          `${m.shareFriend}: ${appMessage.title} — ${appMessage.desc}`,
        ),
      );
    if (timeline)
      lines.push(
        element('p', { 'data-testid': 'mock-share-timeline' }, `${m.shareTimeline}: ${timeline.title}`),
      );
    if (lines.length === 0) lines.push(element('p', {}, m.shareNone));
    const closeButton = element('button', { type: 'button', class: 'mock-sheet__secondary' }, m.close);
    const backdrop = element(
      'div',
      { class: 'mock-backdrop' },
      element(
        'div',
        { class: 'mock-sheet', role: 'dialog', 'data-testid': 'mock-share-sheet' },
        ...lines,
        closeButton,
      ),
    );
    closeButton.addEventListener('click', () => backdrop.remove());
    document.body.append(backdrop);
  });
  document.body.prepend(note);
}
