import type { ReactNode } from 'react';

type Icon = 'success' | 'waiting' | 'warn' | 'info' | 'loading';

interface PageStateProps {
  icon: Icon;
  title: string;
  children?: ReactNode;
  actions?: ReactNode;
  testId?: string;
}

/** A full-page message in WeUI's "msg" layout: big icon, title, text, then the actions. */
export function PageState({ icon, title, children, actions, testId }: PageStateProps) {
  return (
    <section className="msg" data-testid={testId}>
      <div className={`msg__icon msg__icon--${icon}`} aria-hidden="true" />
      <h1 className="msg__title">{title}</h1>
      {children ? <div className="msg__desc">{children}</div> : null}
      {actions ? <div className="msg__actions">{actions}</div> : null}
    </section>
  );
}

/** The small spinner with a sentence, for short waits. */
export function Loading({ label, testId }: { label: string; testId?: string }) {
  return (
    <div className="loading" role="status" data-testid={testId}>
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}
