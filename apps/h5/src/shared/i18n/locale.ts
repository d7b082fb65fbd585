/** The H5's languages: Simplified Chinese first (the page lives inside WeChat in China), English second. */
export type Locale = 'zh-CN' | 'en';

export const DEFAULT_LOCALE: Locale = 'zh-CN';
export const LOCALES: readonly Locale[] = ['zh-CN', 'en'];

/** `?lang=` switches the language; the choice is kept for the rest of the visit (and the OAuth round trip). */
export const LOCALE_PARAM = 'lang';
const STORAGE_KEY = 'wxh5.lang';

/** `zh`, `zh-CN`, `zh-Hans`, `zh_CN` → `zh-CN`; `en`, `en-US` → `en`; anything else → undefined. */
export function matchLocale(tag: string | null | undefined): Locale | undefined {
  if (!tag) return undefined;
  const lower = tag.trim().toLowerCase().replace('_', '-');
  if (lower === 'zh' || lower.startsWith('zh-')) return 'zh-CN';
  if (lower === 'en' || lower.startsWith('en-')) return 'en';
  return undefined;
}

export interface LocaleSources {
  /** `location.search` */
  search: string;
  /** `navigator.languages` (WeChat's web view reports the language WeChat is set to). */
  languages: readonly string[];
  /** The choice kept from an earlier `?lang=` on this visit, if any. */
  stored: string | null;
}

/** `?lang=` first, then the kept choice, then the first browser language we speak, else Chinese. */
export function detectLocale({ search, languages, stored }: LocaleSources): Locale {
  const fromQuery = matchLocale(new URLSearchParams(search).get(LOCALE_PARAM));
  if (fromQuery) return fromQuery;
  const fromStore = matchLocale(stored);
  if (fromStore) return fromStore;
  for (const language of languages) {
    const match = matchLocale(language);
    if (match) return match;
  }
  return DEFAULT_LOCALE;
}

export function readStoredLocale(): string | null {
  try {
    return window.localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function storeLocale(locale: Locale): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // Storage can be disabled: the language then follows `?lang=` and the browser only.
  }
}

/** The locale for this page load, read from the browser. A `?lang=` choice is kept for the visit. */
export function localeFromBrowser(): Locale {
  const search = window.location.search;
  const locale = detectLocale({ search, languages: navigator.languages, stored: readStoredLocale() });
  if (matchLocale(new URLSearchParams(search).get(LOCALE_PARAM))) storeLocale(locale);
  return locale;
}
