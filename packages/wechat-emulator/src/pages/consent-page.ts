// The snsapi_userinfo consent sheet in WeChat's look (375 px): the app asks for nickname and avatar, the
// tester picks which test user answers, then 允许 (allow) or 拒绝 (deny). Posts to /connect/oauth2/consent.
import { escapeHtml } from '../http/html';

export interface ConsentPageInput {
  requestId: string;
  appName: string;
  users: Array<{ userId: string; nickname: string; avatarUrl: string }>;
  selectedUserId: string;
}

export function buildConsentPage(input: ConsentPageInput): string {
  const users = input.users
    .map((user) => {
      const checked = user.userId === input.selectedUserId ? ' checked' : '';
      const id = `user-${escapeHtml(user.userId)}`;
      return `<label class="user" for="${id}" data-testid="wx-consent-user-${escapeHtml(user.userId)}">
<img class="avatar" src="${escapeHtml(user.avatarUrl)}" alt="" width="40" height="40">
<span class="nick">${escapeHtml(user.nickname)}</span>
<input type="radio" id="${id}" name="user" value="${escapeHtml(user.userId)}"${checked}>
<span class="tick" aria-hidden="true"></span>
</label>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1,maximum-scale=1,user-scalable=no">
<title>微信授权</title>
<style>
*{box-sizing:border-box}
body{margin:0;background:#ededed;font-family:-apple-system,BlinkMacSystemFont,"Helvetica Neue","PingFang SC","Microsoft YaHei",sans-serif;color:#111;-webkit-font-smoothing:antialiased}
.page{max-width:375px;min-height:100vh;margin:0 auto;display:flex;flex-direction:column;background:rgba(0,0,0,.45)}
.nav{height:44px;line-height:44px;text-align:center;font-size:17px;font-weight:500;background:#ededed;color:#111;position:relative}
.nav-close{position:absolute;left:16px;top:0;font-size:20px;color:#111}
.spacer{flex:1}
.sheet{background:#fff;border-radius:12px 12px 0 0;padding:24px 24px 32px}
.app{display:flex;align-items:center;gap:8px;font-size:15px;font-weight:500}
.app-icon{width:24px;height:24px;border-radius:6px;background:#07c160;color:#fff;font-size:13px;line-height:24px;text-align:center}
h1{font-size:17px;font-weight:600;margin:20px 0 6px}
.sub{font-size:14px;color:rgba(0,0,0,.5);margin:0 0 16px}
.users{border-top:1px solid rgba(0,0,0,.08)}
.user{display:flex;align-items:center;gap:12px;padding:12px 0;border-bottom:1px solid rgba(0,0,0,.08);cursor:pointer}
.avatar{width:40px;height:40px;border-radius:6px;background:#f2f2f2}
.nick{flex:1;font-size:16px}
.user input{position:absolute;opacity:0;pointer-events:none}
.tick{width:20px;height:20px;border-radius:50%;border:1px solid rgba(0,0,0,.2)}
.user input:checked+.tick{background:#07c160;border-color:#07c160;box-shadow:inset 0 0 0 4px #fff}
.actions{display:flex;gap:16px;justify-content:center;margin-top:32px}
button{width:120px;height:40px;border:0;border-radius:8px;font-size:17px;font-weight:600;cursor:pointer}
.deny{background:#f2f2f2;color:#06ae56}
.allow{background:#07c160;color:#fff}
</style></head>
<body><main class="page">
<div class="nav"><span class="nav-close" aria-hidden="true">✕</span>微信授权</div>
<div class="spacer"></div>
<form class="sheet" method="post" action="/connect/oauth2/consent" data-testid="wx-consent">
<input type="hidden" name="request" value="${escapeHtml(input.requestId)}">
<div class="app"><span class="app-icon">公</span><span data-testid="wx-consent-app">${escapeHtml(input.appName)}</span><span class="sub" style="margin:0">申请</span></div>
<h1>获取你的昵称、头像</h1>
<p class="sub">Nickname and profile photo · 选择授权身份 / choose a test user</p>
<div class="users" role="radiogroup">
${users}
</div>
<div class="actions">
<button class="deny" type="submit" name="action" value="deny" data-testid="wx-consent-deny">拒绝</button>
<button class="allow" type="submit" name="action" value="allow" data-testid="wx-consent-allow">允许</button>
</div>
</form>
</main></body></html>`;
}
