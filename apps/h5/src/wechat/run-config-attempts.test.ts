import { describe, expect, it } from 'vitest';
import { runConfigAttempts } from './run-config-attempts';
import type { WxSignature } from './run-config-attempts';

function signatureFor(url: string): WxSignature {
  return {
    appId: 'wx8a4c5b1d2e3f6a70',
    timestamp: 1700000000,
    nonceStr: 'n',
    signature: `sig:${url}`,
    jsApiList: [],
  };
}

/** A fake native side that accepts only signatures made for `acceptedUrl`, recording what it was given. */
function bridgeAccepting(acceptedUrl: string | null, failure = 'config:invalid signature') {
  const applied: string[] = [];
  return {
    applied,
    applyConfig: (signature: WxSignature) => {
      applied.push(signature.signature);
      return Promise.resolve(signature.signature === `sig:${acceptedUrl}` ? 'config:ok' : failure);
    },
  };
}

describe('runConfigAttempts', () => {
  const urls = ['https://m.example.com/', 'https://m.example.com/orders'];

  it('stops after the first URL when WeChat accepts it', async () => {
    const bridge = bridgeAccepting(urls[0]!);
    const outcome = await runConfigAttempts({
      urls,
      fetchSignature: (u) => Promise.resolve(signatureFor(u)),
      ...bridge,
    });
    expect(outcome).toEqual({ ok: true, signedUrl: urls[0], attempts: 1 });
    expect(bridge.applied).toEqual([`sig:${urls[0]}`]);
  });

  it('retries once with the other URL after config:invalid signature', async () => {
    const bridge = bridgeAccepting(urls[1]!);
    const outcome = await runConfigAttempts({
      urls,
      fetchSignature: (u) => Promise.resolve(signatureFor(u)),
      ...bridge,
    });
    expect(outcome).toEqual({ ok: true, signedUrl: urls[1], attempts: 2 });
    expect(bridge.applied).toEqual([`sig:${urls[0]}`, `sig:${urls[1]}`]);
  });

  it('reports the failure after two invalid signatures without a third try', async () => {
    const bridge = bridgeAccepting(null);
    const outcome = await runConfigAttempts({
      urls: [...urls, 'https://m.example.com/third'],
      fetchSignature: (u) => Promise.resolve(signatureFor(u)),
      ...bridge,
    });
    expect(outcome).toEqual({ ok: false, errMsg: 'config:invalid signature', attempts: 2 });
    expect(bridge.applied).toHaveLength(2);
  });

  it('does not retry a failure that another URL cannot fix', async () => {
    const bridge = bridgeAccepting(urls[1]!, 'config:invalid url domain');
    const outcome = await runConfigAttempts({
      urls,
      fetchSignature: (u) => Promise.resolve(signatureFor(u)),
      ...bridge,
    });
    expect(outcome).toEqual({ ok: false, errMsg: 'config:invalid url domain', attempts: 1 });
  });

  it('does not retry when there is only one URL to sign', async () => {
    const bridge = bridgeAccepting(null);
    const outcome = await runConfigAttempts({
      urls: [urls[0]!],
      fetchSignature: (u) => Promise.resolve(signatureFor(u)),
      ...bridge,
    });
    expect(outcome).toEqual({ ok: false, errMsg: 'config:invalid signature', attempts: 1 });
  });

  it('passes on a failed signature request to the caller', async () => {
    const bridge = bridgeAccepting(urls[0]!);
    await expect(
      runConfigAttempts({ urls, fetchSignature: () => Promise.reject(new Error('offline')), ...bridge }),
    ).rejects.toThrow('offline');
    expect(bridge.applied).toEqual([]);
  });
});
