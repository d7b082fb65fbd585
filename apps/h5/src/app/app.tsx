import { useState } from 'react';
import { BrowserRouter } from 'react-router-dom';
import { startLogin } from '@/features/auth/login';
import { createApiClient } from '@/shared/api-client';
import { ApiClientProvider } from '@/shared/api-client-context';
import { I18nProvider } from '@/shared/i18n/i18n-context';
import type { Locale } from '@/shared/i18n/locale';
import { AppRoutes } from './router';

/** Providers, then routes. Every 401 from the api starts the WeChat login and comes back to this page. */
export function App({ locale }: { locale: Locale }) {
  const [client] = useState(() =>
    createApiClient({
      onUnauthenticated: () => {
        startLogin();
      },
    }),
  );
  return (
    <I18nProvider initialLocale={locale}>
      <ApiClientProvider client={client}>
        <BrowserRouter>
          <AppRoutes />
        </BrowserRouter>
      </ApiClientProvider>
    </I18nProvider>
  );
}
