import { DEMO_APP_ID, startWechatEmulator } from '@wxh5/wechat-emulator';
import { afterAll, beforeAll } from 'vitest';

export type FaultKind = 'http500' | 'timeout' | 'busy' | 'token_invalid' | 'systemerror' | 'drop';

export interface EmulatorCounters {
  apps: Record<string, { token: number; stableToken: number; ticket: number }>;
  endpoints: Record<string, number>;
}

/** A running emulator (one per test file or test) plus typed helpers for its `/__emulator/` control API. */
export interface TestEmulator {
  url: string;
  close(): Promise<void>;
  /** Call the control API; throws with the answer's text on a non-2xx status. */
  control<T = unknown>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>;
  counters(): Promise<EmulatorCounters>;
  fault(endpoint: string, kind: FaultKind, count: number): Promise<void>;
  advanceClock(seconds: number): Promise<void>;
  /** Default user for snsapi_base and (with `decision`) the automatic answer of the consent page. */
  oauthAuto(userId: string, decision?: 'allow' | 'deny' | null): Promise<void>;
  openIdOf(userId: string, appId?: string): Promise<string>;
  /** Notify deliveries scheduled or in flight (0 once every sequence has ended). */
  pendingNotifies(): number;
}

export interface StartEmulatorOptions {
  /** Multiplies WeChat's notify retry schedule; 0.001 turns 15 s into 15 ms. */
  notifyTimeScale?: number;
}

export { DEMO_APP_ID };

/** Start `@wxh5/wechat-emulator` on 127.0.0.1, port 0 (see docs/emulator-contract.md). */
export async function startEmulator(options: StartEmulatorOptions = {}): Promise<TestEmulator> {
  const handle = await startWechatEmulator({
    port: 0,
    host: '127.0.0.1',
    notifyTimeScale: options.notifyTimeScale ?? 0.001,
  });
  const url = handle.url;

  async function control<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`emulator ${method} ${path} → ${response.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  return {
    url,
    close: () => handle.close(),
    pendingNotifies: () => handle.pendingNotifies(),
    control,
    counters: () => control<EmulatorCounters>('GET', '/__emulator/counters'),
    async fault(endpoint, kind, count) {
      await control('POST', '/__emulator/faults', { endpoint, kind, count });
    },
    async advanceClock(seconds) {
      await control('POST', '/__emulator/clock', { advanceSeconds: seconds });
    },
    async oauthAuto(userId, decision = 'allow') {
      await control('POST', '/__emulator/oauth/auto', { userId, decision });
    },
    async openIdOf(userId, appId = DEMO_APP_ID) {
      const answer = await control<{ openid: string }>(
        'GET',
        `/__emulator/users/${encodeURIComponent(userId)}/openid?appId=${encodeURIComponent(appId)}`,
      );
      return answer.openid;
    },
  };
}

/** What `useFileEmulator` shares with a test file: filled in `beforeAll`. */
export interface FileEmulator {
  emulator: TestEmulator;
  /** The demo app's openid of the test user `alice`. */
  aliceOpenId: string;
}

/** One emulator for a whole test file: started in `beforeAll`, closed in `afterAll`. */
export function useFileEmulator(): Readonly<FileEmulator> {
  const shared = {} as FileEmulator;
  beforeAll(async () => {
    shared.emulator = await startEmulator();
    shared.aliceOpenId = await shared.emulator.openIdOf('alice');
  });
  afterAll(async () => {
    await shared.emulator.close();
  });
  return shared;
}
