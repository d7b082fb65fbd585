import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from '@/app/app';
import { followCareMode } from '@/app/care-mode';
import { localeFromBrowser } from '@/shared/i18n/locale';
import { recordLandingUrl } from '@/wechat/landing-url';
import 'weui/dist/style/weui.min.css';
import '@/app/styles.css';

// First, before the router can change history: iOS WeChat signs the JS-SDK against the URL the SPA landed on.
recordLandingUrl(window.location.href);

const locale = localeFromBrowser();
document.documentElement.lang = locale;
followCareMode();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App locale={locale} />
  </StrictMode>,
);
