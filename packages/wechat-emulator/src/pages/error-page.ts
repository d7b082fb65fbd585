// The page WeChat shows when an authorize link is wrong ("redirect_uri域名与后台配置不一致，错误码:10003").
// It is HTML for a person, not JSON; the code is also in `data-errcode` and the X-Emulator-Error header.
import { escapeHtml } from '../http/html';

export interface AuthorizeError {
  errcode: number | null;
  message: string;
}

export function buildErrorPage(error: AuthorizeError): string {
  const text = error.errcode === null ? error.message : `${error.message}，错误码:${error.errcode}`;
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1,maximum-scale=1,user-scalable=no">
<title>微信网页授权</title>
<style>
body{margin:0;background:#ededed;font-family:-apple-system,BlinkMacSystemFont,"Helvetica Neue","PingFang SC",sans-serif;color:#111}
.wrap{max-width:375px;margin:0 auto;padding:96px 24px;text-align:center}
.icon{width:64px;height:64px;border-radius:50%;background:#fa9d3b;color:#fff;font-size:44px;line-height:64px;margin:0 auto 24px;font-weight:600}
h1{font-size:17px;font-weight:500;margin:0 0 12px}
p{font-size:14px;color:rgba(0,0,0,.55);margin:0;line-height:1.5}
</style></head>
<body><div class="wrap" data-testid="wx-oauth-error" data-errcode="${error.errcode ?? ''}">
<div class="icon">!</div>
<h1>Oops! Something went wrong:(</h1>
<p>${escapeHtml(text)}</p>
</div></body></html>`;
}
