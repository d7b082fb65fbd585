// Fault injection for the next N calls of an endpoint (`POST /__emulator/faults`). Generic kinds are answered
// here; `systemerror` on Pay endpoints needs the merchant's key to sign, so it is left in ctx.state for the
// Pay routes. Also counts every call per path for `GET /__emulator/counters`.
import type { Middleware } from 'koa';
import type { HoldRegistry } from '../hold-registry';
import type { EmulatorState, FaultKind } from '../state';
import { wechatErrorFor } from './wechat-error';

const TIMEOUT_FAULT_HOLD_MS = 30_000;

export interface FaultState {
  injectedFault?: FaultKind;
}

function isPayPath(path: string): boolean {
  return path.startsWith('/pay/') || path.startsWith('/secapi/');
}

/** API v3 answers its faults itself, signed, after it knows the merchant (ctx.state.injectedFault). */
function isPayV3Path(path: string): boolean {
  return path.startsWith('/v3/');
}

function isWechatPath(path: string): boolean {
  return (
    path.startsWith('/sns/') ||
    path.startsWith('/cgi-bin/') ||
    path.startsWith('/connect/') ||
    isPayPath(path) ||
    isPayV3Path(path)
  );
}

/** Takes one pending fault for `endpoint`, if any. */
export function takeFault(state: EmulatorState, endpoint: string): FaultKind | undefined {
  const fault = state.faults.find((candidate) => candidate.endpoint === endpoint && candidate.remaining > 0);
  if (!fault) return undefined;
  fault.remaining -= 1;
  if (fault.remaining === 0) state.faults = state.faults.filter((candidate) => candidate !== fault);
  return fault.kind;
}

function payFailXml(message: string): string {
  return `<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[${message}]]></return_msg></xml>`;
}

export function applyFaults(state: EmulatorState, holds: HoldRegistry): Middleware<FaultState> {
  return async (ctx, next) => {
    if (!isWechatPath(ctx.path)) {
      await next();
      return;
    }
    state.endpointCounters.set(ctx.path, (state.endpointCounters.get(ctx.path) ?? 0) + 1);
    const kind = takeFault(state, ctx.path);
    if (kind === undefined) {
      await next();
      return;
    }
    if (
      isPayV3Path(ctx.path) &&
      (kind === 'busy' || kind === 'systemerror' || kind === 'frequency_limited')
    ) {
      ctx.state.injectedFault = kind;
      await next();
      return;
    }
    switch (kind) {
      case 'frequency_limited':
        // Only API v3 answers 429; elsewhere it behaves like the busy fault.
        ctx.status = 429;
        ctx.body = { errcode: 45009, errmsg: 'reach max api daily quota limit' };
        return;
      case 'http500':
        ctx.status = 500;
        ctx.type = 'html';
        ctx.body = '<html><body><h1>500 Internal Server Error</h1></body></html>';
        return;
      case 'timeout':
        // Hold the request far longer than any sane client timeout, then drop the connection.
        await holds.hold(TIMEOUT_FAULT_HOLD_MS);
        ctx.req.socket.destroy();
        ctx.respond = false;
        return;
      case 'busy':
        if (isPayPath(ctx.path)) {
          ctx.type = 'text/xml';
          ctx.body = payFailXml('系统繁忙,请稍后再试');
        } else {
          ctx.body = { errcode: -1, errmsg: 'system error' };
        }
        return;
      case 'token_invalid':
        if (isPayPath(ctx.path) || isPayV3Path(ctx.path)) {
          await next();
          return;
        }
        ctx.body = wechatErrorFor(40001);
        return;
      case 'systemerror':
        if (isPayPath(ctx.path)) {
          ctx.state.injectedFault = 'systemerror';
          await next();
          return;
        }
        ctx.body = { errcode: -1, errmsg: 'system error' };
        return;
      case 'drop':
        await next();
        return;
    }
  };
}
