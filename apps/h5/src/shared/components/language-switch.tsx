import { useI18n } from '../i18n/i18n-context';

/** 中文 ⇄ English. Kept for the visit, like `?lang=`. */
export function LanguageSwitch() {
  const { locale, m, setLocale } = useI18n();
  return (
    <div className="lang-switch">
      <button
        type="button"
        className="weui-btn weui-btn_mini weui-btn_default"
        aria-label={m.common.languageSwitchLabel}
        data-testid="lang-switch"
        onClick={() => setLocale(locale === 'zh-CN' ? 'en' : 'zh-CN')}
      >
        {m.common.languageSwitch}
      </button>
    </div>
  );
}
