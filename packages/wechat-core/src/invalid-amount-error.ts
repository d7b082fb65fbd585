// Browser-safe: imported by money.ts, which the H5 bundles.
import { WechatCoreError } from './wechat-core-error';

export type InvalidAmountReason =
  | 'not_string'
  | 'not_integer'
  | 'empty'
  | 'negative'
  | 'plus_sign'
  | 'exponent'
  | 'too_many_decimals'
  | 'too_large'
  | 'malformed';

export class InvalidAmountError extends WechatCoreError {
  readonly reason: InvalidAmountReason;

  constructor(reason: InvalidAmountReason, message: string) {
    super('INVALID_AMOUNT', message);
    this.name = 'InvalidAmountError';
    this.reason = reason;
  }
}
