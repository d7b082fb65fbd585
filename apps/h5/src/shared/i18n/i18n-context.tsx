import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { describeError } from './describe-error';
import { formatFen, formatTime } from './format';
import { storeLocale } from './locale';
import type { Locale } from './locale';
import { en } from './messages/en';
import { zhCN } from './messages/zh-cn';
import type { Messages } from './messages/zh-cn';

export const CATALOGUES: Record<Locale, Messages> = { 'zh-CN': zhCN, en };

export interface I18n {
  locale: Locale;
  /** The catalogue of the current locale. */
  m: Messages;
  formatFen: (amountFen: number) => string;
  formatTime: (iso: string) => string;
  /** A sentence in the user's language for any failure (api slugs mapped; the server's English never shown). */
  describeError: (error: unknown) => string;
  setLocale: (locale: Locale) => void;
}

export function createI18n(locale: Locale, setLocale: (locale: Locale) => void = () => undefined): I18n {
  const m = CATALOGUES[locale];
  return {
    locale,
    m,
    formatFen: (amountFen) => formatFen(amountFen, locale),
    formatTime: (iso) => formatTime(iso, locale),
    describeError: (error) => describeError(error, m),
    setLocale,
  };
}

const I18nContext = createContext<I18n>(createI18n('zh-CN'));

/** Holds the page's language; switching re-renders every word and keeps the choice for the visit. */
export function I18nProvider({ initialLocale, children }: { initialLocale: Locale; children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);
  const setLocale = useCallback((next: Locale) => {
    storeLocale(next);
    setLocaleState(next);
  }, []);
  useEffect(() => {
    // Screen readers and the browser's fonts pick the language from <html lang>.
    document.documentElement.lang = locale;
  }, [locale]);
  const value = useMemo(() => createI18n(locale, setLocale), [locale, setLocale]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  return useContext(I18nContext);
}
