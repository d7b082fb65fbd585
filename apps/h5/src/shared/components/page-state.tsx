import type { ReactNode } from 'react';

type Icon = 'success' | 'waiting' | 'warn' | 'info';

/** WeUI's msg icons: success (green), waiting (blue), warn (red), info (blue). */
const ICON_CLASS = {
  success: 'weui-icon-success',
  waiting: 'weui-icon-waiting',
  warn: 'weui-icon-warn',
  info: 'weui-icon-info',
} as const satisfies Record<Icon, string>;

interface PageStateProps {
  icon: Icon;
  title: string;
  children?: ReactNode;
  /** Below the text: e.g. a WeUI form-preview of the order. */
  details?: ReactNode;
  actions?: ReactNode;
  testId?: string;
}

/** A full-page message in WeUI's msg layout: big icon, title, text, details, then the buttons. */
export function PageState({ icon, title, children, details, actions, testId }: PageStateProps) {
  return (
    <section className="weui-msg" data-testid={testId}>
      <div className="weui-msg__icon-area">
        <i className={`${ICON_CLASS[icon]} weui-icon_msg`} aria-hidden="true" />
      </div>
      <div className="weui-msg__text-area">
        <h1 className="weui-msg__title">{title}</h1>
        {children ? <div className="weui-msg__desc">{children}</div> : null}
      </div>
      {details ? <div className="weui-msg__custom-area">{details}</div> : null}
      {actions ? (
        <div className="weui-msg__opr-area">
          <div className="weui-btn-area">{actions}</div>
        </div>
      ) : null}
    </section>
  );
}

/** WeUI's loadmore: the spinner with a sentence, for short waits. */
export function Loading({ label, testId }: { label: string; testId?: string }) {
  return (
    <div className="weui-loadmore" role="status" data-testid={testId}>
      <i className="weui-loading" aria-hidden="true" />
      <span className="weui-loadmore__tips">{label}</span>
    </div>
  );
}
