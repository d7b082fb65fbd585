import { useCallback, useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import type { UserInfo } from '@wxh5/contracts';
import { useApiClient } from '@/shared/api-client-context';
import { isApiError } from '@/shared/api-error';
import { useI18n } from '@/shared/i18n/i18n-context';
import { Loading, PageState } from '@/shared/components/page-state';
import { getUserInfo } from '../api/get-user-info';
import { hasDeclinedLogin, isRedirectingToLogin, loginSucceeded, startLogin } from '../login';
import { SessionContext } from '../session-context';

type GateState =
  | { kind: 'checking' }
  | { kind: 'declined' }
  | { kind: 'redirecting' }
  | { kind: 'login_blocked' }
  | { kind: 'error'; error: unknown }
  | { kind: 'ready'; user: UserInfo };

function initialState(): GateState {
  return hasDeclinedLogin(window.location.href) ? { kind: 'declined' } : { kind: 'checking' };
}

/**
 * Renders its children for a signed-in user only. No session → WeChat login (snsapi_userinfo) and back here;
 * `wx_auth=denied` → a "you declined" screen with a retry button (never an automatic redirect, so no loop).
 */
export function SessionGate({ children }: { children: ReactNode }) {
  const client = useApiClient();
  const { m, describeError } = useI18n();
  const [state, setState] = useState<GateState>(initialState);

  const check = useCallback(
    (signal?: AbortSignal) => {
      setState({ kind: 'checking' });
      getUserInfo(client, signal).then(
        (user) => {
          loginSucceeded();
          setState({ kind: 'ready', user });
        },
        (error: unknown) => {
          if (signal?.aborted) return;
          if (isApiError(error) && error.isUnauthenticated) {
            // The api client has already started the login unless the loop guard stopped it.
            setState(isRedirectingToLogin() ? { kind: 'redirecting' } : { kind: 'login_blocked' });
            return;
          }
          setState({ kind: 'error', error });
        },
      );
    },
    [client],
  );

  useEffect(() => {
    if (hasDeclinedLogin(window.location.href)) return undefined;
    const controller = new AbortController();
    check(controller.signal);
    return () => controller.abort();
  }, [check]);

  const retryLogin = () => {
    setState({ kind: 'redirecting' });
    startLogin({ force: true });
  };

  switch (state.kind) {
    case 'checking':
      return <Loading label={m.session.checking} testId="session-checking" />;
    case 'redirecting':
      return <Loading label={m.session.redirecting} testId="session-redirecting" />;
    case 'declined':
      return (
        <PageState
          icon="info"
          title={m.session.declinedTitle}
          testId="auth-declined"
          actions={
            <button
              type="button"
              className="weui-btn weui-btn_primary"
              data-testid="auth-retry"
              onClick={retryLogin}
            >
              {m.session.signIn}
            </button>
          }
        >
          <p>{m.session.declinedText}</p>
        </PageState>
      );
    case 'login_blocked':
      return (
        <PageState
          icon="warn"
          title={m.session.blockedTitle}
          testId="auth-blocked"
          actions={
            <button
              type="button"
              className="weui-btn weui-btn_primary"
              data-testid="auth-retry"
              onClick={retryLogin}
            >
              {m.common.tryAgain}
            </button>
          }
        >
          <p>{m.session.blockedText}</p>
        </PageState>
      );
    case 'error':
      return (
        <PageState
          icon="warn"
          title={m.session.errorTitle}
          testId="session-error"
          actions={
            <button type="button" className="weui-btn weui-btn_primary" onClick={() => check()}>
              {m.common.tryAgain}
            </button>
          }
        >
          <p>{describeError(state.error)}</p>
        </PageState>
      );
    case 'ready':
      return <SessionContext.Provider value={state.user}>{children}</SessionContext.Provider>;
  }
}
