/* global window, document, location */
// The emulator's in-page WeixinJSBridge, served as GET /jsbridge.js. Load it BEFORE weixin-js-sdk (jweixin):
// it makes the page look like WeChat (a MicroMessenger user agent), defines window.WeixinJSBridge and fires
// WeixinJSBridgeReady, and answers invokes by asking the emulator that served it (its origin comes from this
// script's own src). Plain browser JavaScript on purpose: it runs in the page, not in Node.
(function () {
  'use strict';
  if (window.WeixinJSBridge && window.__wxh5Emulator) return;

  var script = document.currentScript;
  var origin = script && script.src ? new URL(script.src).origin : location.origin;
  var WECHAT_UA_SUFFIX = ' MicroMessenger/8.0.42(0x18002a2d) NetType/WIFI Language/zh_CN';
  var userAgent = navigator.userAgent;
  if (userAgent.toLowerCase().indexOf('micromessenger') === -1) userAgent += WECHAT_UA_SUFFIX;
  try {
    Object.defineProperty(navigator, 'userAgent', {
      get: function () {
        return userAgent;
      },
      configurable: true,
    });
  } catch (error) {
    console.warn('[wxh5 emulator] could not override navigator.userAgent', error);
  }

  var emulator = {
    origin: origin,
    /** The verified jsApiList of this page after a successful preVerifyJSAPI (native names). */
    verified: null,
    shares: [],
    log: [],
  };
  window.__wxh5Emulator = emulator;

  var listeners = {};

  function pageUrl() {
    // WeChat signs the page URL without its #fragment.
    return location.href.split('#')[0];
  }

  function record(name, params, result) {
    emulator.log.push({ name: name, params: params, result: result, at: Date.now() });
  }

  function answer(name, params, callback, result) {
    record(name, params, result);
    if (typeof callback === 'function') {
      // Native callbacks arrive asynchronously.
      setTimeout(function () {
        callback(result);
      }, 0);
    }
  }

  function post(path, body) {
    return fetch(origin + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.json();
    });
  }

  function verifyFields(params) {
    return {
      appId: params.verifyAppId || params.appId || '',
      timestamp: params.verifyTimestamp || '',
      nonceStr: params.verifyNonceStr || '',
      signature: params.verifySignature || '',
      signType: params.verifySignType || '',
    };
  }

  /** jweixin adds verify* fields to every invoke; an API it calls must be in the verified jsApiList. */
  function permitted(name, params) {
    if (!params || !params.verifySignature) return true;
    return emulator.verified !== null && emulator.verified.indexOf(name) !== -1;
  }

  function denied(name) {
    return { err_msg: name + ':fail, the permission value is offline verifying' };
  }

  // ---- share badge -------------------------------------------------------------------------------------
  function showShareBadge() {
    var badge = document.querySelector('[data-testid="wx-share-badge"]');
    if (!badge) {
      badge = document.createElement('div');
      badge.setAttribute('data-testid', 'wx-share-badge');
      badge.style.cssText =
        'position:fixed;right:8px;bottom:8px;z-index:2147483000;max-width:220px;padding:4px 8px;border-radius:6px;' +
        'background:rgba(0,0,0,.6);color:#fff;font:11px/1.4 -apple-system,Helvetica,sans-serif;pointer-events:none;' +
        'overflow:hidden;white-space:nowrap;text-overflow:ellipsis';
      (document.body || document.documentElement).appendChild(badge);
    }
    var lines = [];
    for (var i = 0; i < emulator.shares.length; i += 1) {
      var share = emulator.shares[i];
      lines.push((share.kind === 'timeline' ? '朋友圈' : '好友') + ': ' + share.title);
    }
    badge.textContent = '分享 · ' + lines.slice(-2).join(' | ');
  }

  function setShare(kind, name, params, callback) {
    var share = {
      kind: kind,
      title: String(params.title || ''),
      desc: kind === 'appMessage' ? String(params.desc || '') : undefined,
      link: String(params.link || ''),
      imgUrl: String(params.imgUrl || ''),
    };
    post('/__bridge/share', { share: share, url: pageUrl(), verify: verifyFields(params) })
      .then(function (result) {
        if (result.err_msg === name + ':ok') {
          emulator.shares = emulator.shares.filter(function (item) {
            return item.kind !== kind;
          });
          emulator.shares.push(share);
          showShareBadge();
        }
        answer(name, params, callback, result);
      })
      .catch(function (error) {
        answer(name, params, callback, { err_msg: name + ':fail', err_desc: String(error) });
      });
  }

  // ---- cashier -----------------------------------------------------------------------------------------
  function formatYuan(fen) {
    var yuan = Math.floor(fen / 100);
    var cents = fen % 100;
    return '¥' + yuan + '.' + (cents < 10 ? '0' : '') + cents;
  }

  function el(tag, css, text, testId) {
    var node = document.createElement(tag);
    if (css) node.style.cssText = css;
    if (text !== undefined) node.textContent = text;
    if (testId) node.setAttribute('data-testid', testId);
    return node;
  }

  function showCashier(order, onPay, onCancel) {
    var overlay = el(
      'div',
      'position:fixed;inset:0;z-index:2147483600;background:rgba(0,0,0,.5);display:flex;align-items:flex-end;' +
        'justify-content:center;font-family:-apple-system,BlinkMacSystemFont,"PingFang SC","Helvetica Neue",sans-serif',
      undefined,
      'wx-cashier',
    );
    var sheet = el(
      'div',
      'position:relative;width:100%;max-width:375px;background:#fff;border-radius:12px 12px 0 0;' +
        'padding:16px 24px 32px;box-sizing:border-box;color:#111;text-align:center',
    );
    var cancel = el(
      'button',
      'position:absolute;left:12px;top:10px;width:36px;height:36px;border:0;background:transparent;font-size:22px;' +
        'color:rgba(0,0,0,.6);cursor:pointer;line-height:36px',
      '✕',
      'wx-cashier-cancel',
    );
    cancel.setAttribute('aria-label', '取消支付 / Cancel');
    var title = el('div', 'font-size:15px;font-weight:500;margin:8px 0 28px', '微信支付');
    var merchant = el(
      'div',
      'font-size:15px;color:rgba(0,0,0,.9)',
      order.merchantName,
      'wx-cashier-merchant',
    );
    var amount = el(
      'div',
      'font-size:40px;font-weight:600;margin:8px 0 4px;letter-spacing:.5px;font-family:"WeChat Sans Std",' +
        '-apple-system,Helvetica,sans-serif',
      formatYuan(order.totalFee),
      'wx-cashier-amount',
    );
    var body = el(
      'div',
      'font-size:13px;color:rgba(0,0,0,.5);margin-bottom:28px',
      order.body,
      'wx-cashier-body',
    );
    var method = el(
      'div',
      'display:flex;justify-content:space-between;font-size:15px;padding:14px 0;border-top:1px solid rgba(0,0,0,.08);' +
        'border-bottom:1px solid rgba(0,0,0,.08);margin-bottom:32px',
    );
    method.appendChild(el('span', 'color:rgba(0,0,0,.5)', '付款方式'));
    method.appendChild(el('span', '', '零钱 (' + order.userNickname + ')'));
    var pay = el(
      'button',
      'display:block;width:184px;height:40px;margin:0 auto;border:0;border-radius:8px;background:#07c160;color:#fff;' +
        'font-size:17px;font-weight:600;cursor:pointer',
      '支付 / Pay',
      'wx-cashier-pay',
    );
    var error = el(
      'div',
      'color:#fa5151;font-size:13px;min-height:18px;margin-top:12px',
      '',
      'wx-cashier-error',
    );
    sheet.appendChild(cancel);
    sheet.appendChild(title);
    sheet.appendChild(merchant);
    sheet.appendChild(amount);
    sheet.appendChild(body);
    sheet.appendChild(method);
    sheet.appendChild(pay);
    sheet.appendChild(error);
    overlay.appendChild(sheet);
    (document.body || document.documentElement).appendChild(overlay);

    var settled = false;
    function close() {
      settled = true;
      if (overlay.parentNode) overlay.parentNode.removeChild(overlay);
    }
    cancel.addEventListener('click', function () {
      if (settled) return;
      close();
      onCancel();
    });
    pay.addEventListener('click', function () {
      if (settled) return;
      pay.disabled = true;
      pay.style.opacity = '0.6';
      onPay(close, function (message) {
        pay.disabled = false;
        pay.style.opacity = '1';
        error.textContent = message;
      });
    });
  }

  function payParams(params) {
    return {
      appId: String(params.appId || ''),
      timeStamp: String(params.timeStamp || ''),
      nonceStr: String(params.nonceStr || ''),
      package: String(params.package || ''),
      signType: String(params.signType || ''),
      paySign: String(params.paySign || ''),
    };
  }

  function requestPayment(name, params, callback) {
    var body = { params: payParams(params), url: pageUrl() };
    function fail(desc) {
      answer(name, params, callback, { err_msg: 'get_brand_wcpay_request:fail', err_desc: desc });
    }
    post('/__bridge/pay/prepare', body)
      .then(function (prepared) {
        if (!prepared.ok) return fail(prepared.err_desc || 'invalid payment request');
        showCashier(
          prepared.order,
          function (close, showError) {
            post('/__bridge/pay', body)
              .then(function (paid) {
                if (paid.ok) {
                  close();
                  answer(name, params, callback, { err_msg: 'get_brand_wcpay_request:ok' });
                } else {
                  close();
                  fail(paid.err_desc || 'payment failed');
                }
              })
              .catch(function (error) {
                showError(String(error));
              });
          },
          function () {
            post('/__bridge/pay/cancel', body).catch(function () {});
            answer(name, params, callback, { err_msg: 'get_brand_wcpay_request:cancel' });
          },
        );
      })
      .catch(function (error) {
        fail(String(error));
      });
  }

  // ---- invoke ------------------------------------------------------------------------------------------
  function invoke(name, params, callback) {
    params = params || {};
    if (name === 'preVerifyJSAPI') {
      var verify = verifyFields(params);
      post('/__bridge/preverify', {
        appId: verify.appId,
        timestamp: verify.timestamp,
        nonceStr: verify.nonceStr,
        signature: verify.signature,
        signType: verify.signType,
        url: pageUrl(),
        jsApiList: params.verifyJsApiList || [],
        openTagList: params.verifyOpenTagList || [],
      })
        .then(function (result) {
          emulator.verified = result.err_msg === 'config:ok' ? (params.verifyJsApiList || []).slice() : null;
          answer(name, params, callback, result);
        })
        .catch(function (error) {
          answer(name, params, callback, { err_msg: 'config:fail', err_desc: String(error) });
        });
      return;
    }
    if (!permitted(name, params)) {
      answer(name, params, callback, denied(name));
      return;
    }
    switch (name) {
      case 'getBrandWCPayRequest':
        requestPayment(name, params, callback);
        return;
      case 'updateAppMessageShareData':
        setShare('appMessage', name, params, callback);
        return;
      case 'updateTimelineShareData':
        setShare('timeline', name, params, callback);
        return;
      case 'getNetworkType':
        answer(name, params, callback, { err_msg: 'network_type:wifi', subtype: 'wifi' });
        return;
      case 'checkJsApi': {
        var result = {};
        var list = params.jsApiList || [];
        for (var i = 0; i < list.length; i += 1) {
          result[list[i]] =
            [
              'getBrandWCPayRequest',
              'updateAppMessageShareData',
              'updateTimelineShareData',
              'getNetworkType',
            ].indexOf(list[i]) !== -1;
        }
        answer(name, params, callback, { err_msg: 'checkJsApi:ok', checkResult: result });
        return;
      }
      default:
        answer(name, params, callback, { err_msg: name + ':fail, the emulator does not implement this API' });
    }
  }

  window.WeixinJSBridge = {
    invoke: invoke,
    on: function (name, callback) {
      listeners[name] = callback;
    },
    call: function (name) {
      record(name, {}, null);
    },
  };

  setTimeout(function () {
    document.dispatchEvent(new Event('WeixinJSBridgeReady'));
  }, 0);
})();
