import { cleanup, render, screen } from '@testing-library/react';
import { ROUTES } from '@wxh5/contracts';
import { http } from 'msw';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockFailure } from '@/mock/handlers';
import { useMockApi } from '@/mock/use-mock-api';
import { createApiClient } from '@/shared/api-client';
import { ApiClientProvider } from '@/shared/api-client-context';
import { UserCard } from './user-card';
import { SessionGate } from './session-gate';

afterEach(cleanup);
beforeEach(() => window.history.replaceState(null, '', '/'));

// The api of `pnpm dev:mock` (src/mock/handlers.ts), in Node: a fresh store per test.
const api = useMockApi();

function renderGate() {
  let unauthenticated = 0;
  const client = createApiClient({
    onUnauthenticated: () => {
      unauthenticated += 1;
    },
  });
  render(
    <ApiClientProvider client={client}>
      <SessionGate>
        <UserCard />
      </SessionGate>
    </ApiClientProvider>,
  );
  return { unauthenticated: () => unauthenticated };
}

describe('SessionGate', () => {
  it('shows the signed-in user', async () => {
    api.store.user = { ...api.store.user, nickname: 'Alice 王' };
    renderGate();
    expect((await screen.findByTestId('user-nickname')).textContent).toBe('Alice 王');
    expect(api.requests).toEqual([`GET ${ROUTES.getUserInfo}`]);
  });

  it('after a declined consent shows the declined screen and neither checks the session nor redirects', () => {
    window.history.replaceState(null, '', '/?wx_auth=denied');
    api.store.signedIn = false;
    const { unauthenticated } = renderGate();
    expect(screen.getByTestId('auth-declined').textContent).toContain('你已拒绝授权登录');
    expect(screen.getByTestId('auth-retry')).not.toBeNull();
    expect(api.requests).toEqual([]);
    expect(unauthenticated()).toBe(0);
  });

  it('hands a missing session to the login handler', async () => {
    api.store.signedIn = false;
    const { unauthenticated } = renderGate();
    // The handler here does not leave the page, so the gate ends on its "could not sign you in" screen.
    expect((await screen.findByTestId('auth-blocked')).textContent).toContain('无法登录');
    expect(unauthenticated()).toBe(1);
  });

  it("shows an api failure in the user's words with a retry, never the server's English", async () => {
    api.use(http.get(ROUTES.getUserInfo, () => mockFailure('not_ready', 'The database is not reachable.')));
    renderGate();
    const screenText = (await screen.findByTestId('session-error')).textContent;
    expect(screenText).toContain('服务暂时不可用，请稍后重试。');
    expect(screenText).toContain('重试');
    expect(screenText).not.toContain('The database is not reachable.');
  });
});
