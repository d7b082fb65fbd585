/**
 * Base class of every error thrown by @wxh5/wechat-core. `code` is stable and safe to switch on;
 * `message` is for humans and may change.
 */
export class WechatCoreError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WechatCoreError';
    this.code = code;
  }
}
