// GET / — a small status page for people running the demo: what the emulator knows and what it did.
import { escapeHtml } from '../http/html';
import type { NotifyLogEntry } from '../notify-delivery';
import type { EmulatorState } from '../state';

function table(headers: string[], rows: string[][]): string {
  if (rows.length === 0) return '<p class="empty">none yet</p>';
  const head = headers.map((header) => `<th>${escapeHtml(header)}</th>`).join('');
  const body = rows
    .map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`)
    .join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

export function buildHomePage(state: EmulatorState, notifies: NotifyLogEntry[], origin: string): string {
  const apps = [...state.apps.values()].map((app) => [
    app.appId,
    app.name,
    app.oauthDomains.join(' '),
    app.jsDomains.join(' '),
  ]);
  const merchants = [...state.merchants.values()].map((merchant) => [
    merchant.mchId,
    merchant.name,
    merchant.appIds.join(' '),
    merchant.payDirectories.join(' '),
  ]);
  const users = [...state.users.values()].map((user) => [
    user.userId,
    user.nickname,
    user.userId === state.defaultUserId ? 'default' : '',
  ]);
  const orders = [...state.orders.values()]
    .slice(-20)
    .reverse()
    .map((order) => [order.outTradeNo, order.tradeState, `${(order.totalFee / 100).toFixed(2)}`, order.body]);
  const log = notifies
    .slice(-20)
    .reverse()
    .map((entry) => [
      new Date(entry.at).toISOString(),
      entry.kind,
      entry.outTradeNo,
      String(entry.attempt),
      entry.status === null ? '—' : String(entry.status),
      entry.ok ? 'ok' : 'failed',
    ]);
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>wxh5 WeChat emulator</title>
<style>
body{font:14px/1.5 -apple-system,BlinkMacSystemFont,"PingFang SC","Helvetica Neue",sans-serif;margin:0;background:#ededed;color:#111}
main{max-width:960px;margin:0 auto;padding:24px 16px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}
section{background:#fff;border-radius:8px;padding:8px 16px 16px;margin-bottom:12px;overflow-x:auto}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eee;white-space:nowrap}
th{color:rgba(0,0,0,.5);font-weight:500}.empty{color:rgba(0,0,0,.4)}code{background:#f2f2f2;padding:1px 4px;border-radius:4px}
</style></head><body><main>
<h1>wxh5 WeChat emulator</h1>
<p>Bridge script: <code>${escapeHtml(origin)}/jsbridge.js</code> · control API: <code>${escapeHtml(origin)}/__emulator/</code> ·
clock offset ${state.clockOffsetMs / 1000} s</p>
<section><h2>Official accounts</h2>${table(['appId', 'name', 'OAuth domains', 'JS-safe domains'], apps)}</section>
<section><h2>Merchants</h2>${table(['mch_id', 'name', 'apps', 'pay directories'], merchants)}</section>
<section><h2>Test users</h2>${table(['userId', 'nickname', ''], users)}</section>
<section><h2>Latest orders</h2>${table(['out_trade_no', 'trade_state', 'yuan', 'body'], orders)}</section>
<section><h2>Latest notifies</h2>${table(['at', 'kind', 'out_trade_no', 'attempt', 'HTTP', 'result'], log)}</section>
</main></body></html>`;
}
