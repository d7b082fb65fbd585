import { useEffect, useRef, useState } from 'react';
import { LanguageSwitch } from '@/shared/components/language-switch';
import { useI18n } from '@/shared/i18n/i18n-context';
import { QrCode } from './qr-code';

type CopyState = 'idle' | 'copied' | 'failed';

async function copyText(text: string, fallbackTarget: HTMLElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No async clipboard (an http page, an old web view): select the link and use the legacy command.
    if (!fallbackTarget) return false;
    const range = document.createRange();
    range.selectNodeContents(fallbackTarget);
    const selection = window.getSelection();
    selection?.removeAllRanges();
    selection?.addRange(range);
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    }
  }
}

/**
 * Outside WeChat (no MicroMessenger user agent) the OAuth login and WeChat Pay cannot work: say 请在微信中打开,
 * show this page's address as a QR code to scan with WeChat, and offer to copy the link.
 */
export function NotInWechat() {
  const { m } = useI18n();
  const href = window.location.href;
  const linkRef = useRef<HTMLParagraphElement>(null);
  const [copy, setCopy] = useState<CopyState>('idle');

  useEffect(() => {
    if (copy === 'idle') return undefined;
    const timer = setTimeout(() => setCopy('idle'), 3000);
    return () => clearTimeout(timer);
  }, [copy]);

  return (
    <section className="weui-msg" data-testid="not-in-wechat">
      <div className="weui-msg__icon-area">
        <i className="weui-icon-info weui-icon_msg" aria-hidden="true" />
      </div>
      <div className="weui-msg__text-area">
        <h1 className="weui-msg__title">{m.notInWechat.title}</h1>
        <p className="weui-msg__desc">{m.notInWechat.text}</p>
      </div>
      <div className="weui-msg__custom-area">
        <QrCode text={href} label={m.notInWechat.qrAlt} />
        <p className="page-link mono" ref={linkRef} data-testid="page-link">
          {href}
        </p>
      </div>
      <div className="weui-msg__opr-area">
        <div className="weui-btn-area">
          <button
            type="button"
            className="weui-btn weui-btn_primary"
            data-testid="copy-link"
            onClick={() => {
              void copyText(href, linkRef.current).then((ok) => setCopy(ok ? 'copied' : 'failed'));
            }}
          >
            {m.notInWechat.copyLink}
          </button>
        </div>
      </div>
      <LanguageSwitch />
      {copy === 'idle' ? null : (
        <div role="alert" data-testid="copy-result" data-result={copy}>
          <div className="weui-mask_transparent" />
          <div className="weui-toast">
            <i
              className={`${copy === 'copied' ? 'weui-icon-success-no-circle' : 'weui-icon-warn'} weui-icon_toast`}
              aria-hidden="true"
            />
            <p className="weui-toast__content">
              {copy === 'copied' ? m.notInWechat.copied : m.notInWechat.copyFailed}
            </p>
          </div>
        </div>
      )}
    </section>
  );
}
