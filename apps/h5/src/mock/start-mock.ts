// The entry of `pnpm --filter @wxh5/h5 dev:mock` (vite --mode mock swaps it in for src/main.tsx; see
// vite/mock-mode.ts): the api answered by Mock Service Worker from an in-memory store, a fake WeChat bridge, a
// note saying so, then the real app. Nothing in the production build imports this file.
import { setupWorker } from 'msw/browser';
import { installFakeBridge, showMockNote } from './fake-bridge';
import { localeFromBrowser } from '@/shared/i18n/locale';
import { mockMessages } from '@/shared/i18n/messages/mock';
import { createHandlers } from './handlers';
import { createMockStore } from './mock-store';
import './mock.css';

const store = createMockStore();
await setupWorker(...createHandlers(store)).start({
  serviceWorker: { url: '/mockServiceWorker.js' },
  // Vite's own modules and assets go to the dev server as usual.
  onUnhandledRequest: 'bypass',
  quiet: true,
});
// The page's own language choice (?lang=, then the browser), so the note speaks as the page does.
const messages = mockMessages[localeFromBrowser()];
// Before weixin-js-sdk loads: it decides at import whether it runs inside WeChat.
const bridge = installFakeBridge(store, messages);
await import('../main');
showMockNote(bridge, messages);
