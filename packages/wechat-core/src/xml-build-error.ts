import { WechatCoreError } from './wechat-core-error';

export type XmlBuildErrorReason = 'invalid_name' | 'invalid_value';

/** `buildXml` was asked for a field name or value that cannot be written as flat WeChat XML. */
export class XmlBuildError extends WechatCoreError {
  readonly reason: XmlBuildErrorReason;

  constructor(reason: XmlBuildErrorReason, message: string) {
    super('XML_BUILD_ERROR', message);
    this.name = 'XmlBuildError';
    this.reason = reason;
  }
}
