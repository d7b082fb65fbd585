import { useCallback, useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import type { UserInfo } from '@wxh5/contracts';
import { useApiClient } from '@/shared/api-client-context';
import { describeError, isApiError } from '@/shared/api-error';
import { Loading, PageState } from '@/shared/components/page-state';
import { getUserInfo } from '../api/get-user-info';
import { hasDeclinedLogin, isRedirectingToLogin, loginSucceeded, startLogin } from '../login';
import { SessionContext } from '../session-context';

type GateState =
  | { kind: 'checking' }
  | { kind: 'declined' }
  | { kind: 'redirecting' }
  | { kind: 'login_blocked' }
  | { kind: 'error'; message: string }
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
          setState({ kind: 'error', message: describeError(error) });
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
      return <Loading label="Checking your WeChat session…" testId="session-checking" />;
    case 'redirecting':
      return <Loading label="Signing you in with WeChat…" testId="session-redirecting" />;
    case 'declined':
      return (
        <PageState
          icon="info"
          title="You declined to sign in"
          testId="auth-declined"
          actions={
            <button type="button" className="btn btn--primary" data-testid="auth-retry" onClick={retryLogin}>
              Sign in with WeChat
            </button>
          }
        >
          <p>
            This page needs your WeChat nickname and avatar to show your orders and to pay. Nothing was
            shared. You can sign in whenever you are ready.
          </p>
        </PageState>
      );
    case 'login_blocked':
      return (
        <PageState
          icon="warn"
          title="We could not sign you in"
          testId="auth-blocked"
          actions={
            <button type="button" className="btn btn--primary" data-testid="auth-retry" onClick={retryLogin}>
              Try again
            </button>
          }
        >
          <p>WeChat sent you back, but no session was kept. Cookies may be blocked for this page.</p>
        </PageState>
      );
    case 'error':
      return (
        <PageState
          icon="warn"
          title="Something went wrong"
          testId="session-error"
          actions={
            <button type="button" className="btn btn--primary" onClick={() => check()}>
              Try again
            </button>
          }
        >
          <p>{state.message}</p>
        </PageState>
      );
    case 'ready':
      return <SessionContext.Provider value={state.user}>{children}</SessionContext.Provider>;
  }
}
