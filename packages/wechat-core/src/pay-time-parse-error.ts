import { WechatCoreError } from './wechat-core-error';

/** A WeChat time string (`time_end`, `success_time`, …) is not a real Beijing-time instant. */
export class PayTimeParseError extends WechatCoreError {
  readonly input: string;

  constructor(input: string, message: string) {
    super('PAY_TIME_PARSE_ERROR', message);
    this.name = 'PayTimeParseError';
    this.input = input;
  }
}
