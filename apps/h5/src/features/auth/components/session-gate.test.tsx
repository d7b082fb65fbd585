import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiClient } from '@/shared/api-client';
import { ApiClientProvider } from '@/shared/api-client-context';
import { UserCard } from './user-card';
import { SessionGate } from './session-gate';

afterEach(cleanup);
beforeEach(() => window.history.replaceState(null, '', '/'));

function renderGate(answer: () => Response) {
  const requests: string[] = [];
  let unauthenticated = 0;
  const client = createApiClient({
    fetch: (input) => {
      requests.push(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      return Promise.resolve(answer());
    },
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
  return { requests, unauthenticated: () => unauthenticated };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('SessionGate', () => {
  it('shows the signed-in user', async () => {
    const { requests } = renderGate(() =>
      json(200, {
        code: 0,
        data: {
          openId: 'oAbcdefghijklmnopqrstuvwxyz1',
          nickname: 'Alice 王',
          avatarUrl: '',
          scope: 'snsapi_userinfo',
        },
      }),
    );
    expect((await screen.findByTestId('user-nickname')).textContent).toBe('Alice 王');
    expect(requests).toEqual(['/api/wechat/getUserInfo']);
  });

  it('after a declined consent shows the declined screen and neither checks the session nor redirects', () => {
    window.history.replaceState(null, '', '/?wx_auth=denied');
    const { requests, unauthenticated } = renderGate(() => json(401, {}));
    expect(screen.getByTestId('auth-declined').textContent).toContain('你已拒绝授权登录');
    expect(screen.getByTestId('auth-retry')).not.toBeNull();
    expect(requests).toEqual([]);
    expect(unauthenticated()).toBe(0);
  });

  it('hands a missing session to the login handler', async () => {
    const { unauthenticated } = renderGate(() =>
      json(401, { code: 40100, error: 'unauthenticated', message: 'Please sign in with WeChat.' }),
    );
    // The handler here does not leave the page, so the gate ends on its "could not sign you in" screen.
    expect((await screen.findByTestId('auth-blocked')).textContent).toContain('无法登录');
    expect(unauthenticated()).toBe(1);
  });

  it("shows an api failure in the user's words with a retry, never the server's English", async () => {
    renderGate(() =>
      json(503, { code: 50301, error: 'not_ready', message: 'The database is not reachable.' }),
    );
    const screenText = (await screen.findByTestId('session-error')).textContent;
    expect(screenText).toContain('服务暂时不可用，请稍后重试。');
    expect(screenText).toContain('重试');
    expect(screenText).not.toContain('The database is not reachable.');
  });
});
