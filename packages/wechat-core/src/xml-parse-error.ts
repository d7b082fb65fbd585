import { WechatCoreError } from './wechat-core-error';

/** Why `parseXml` refused its input. Stable values: switch on them, log them. */
export type XmlParseErrorReason =
  | 'not_string'
  | 'empty'
  | 'too_large'
  | 'doctype'
  | 'entity'
  | 'instruction'
  | 'not_well_formed'
  | 'wrong_root'
  | 'nested'
  | 'attributes'
  | 'duplicate';

export class XmlParseError extends WechatCoreError {
  readonly reason: XmlParseErrorReason;

  constructor(reason: XmlParseErrorReason, message: string, options?: { cause?: unknown }) {
    super('XML_PARSE_ERROR', `XML rejected (${reason}): ${message}`, options);
    this.name = 'XmlParseError';
    this.reason = reason;
  }
}
