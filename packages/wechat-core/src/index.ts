export { WechatCoreError } from './wechat-core-error';
export { XmlParseError } from './xml-parse-error';
export type { XmlParseErrorReason } from './xml-parse-error';
export { XmlBuildError } from './xml-build-error';
export type { XmlBuildErrorReason } from './xml-build-error';
export { RefundDecryptError } from './refund-decrypt-error';
export type { RefundDecryptErrorReason } from './refund-decrypt-error';
export { InvalidAmountError } from './invalid-amount-error';
export type { InvalidAmountReason } from './invalid-amount-error';
export { PayTimeParseError } from './pay-time-parse-error';
export { KeyLoadError } from './key-load-error';
export type { KeyLoadErrorReason } from './key-load-error';
export { V3SignatureError } from './v3-signature-error';
export type { V3SignatureErrorReason } from './v3-signature-error';
export { AeadDecryptError } from './aead-decrypt-error';
export type { AeadDecryptErrorReason } from './aead-decrypt-error';

export { signV2, verifyV2, detectSignType, isSignType, buildStringSignTemp } from './sign-v2';
export type { SignType, SignableParams } from './sign-v2';
export { buildXml, buildXmlReply } from './build-xml';
export type { XmlParams, BuildXmlOptions } from './build-xml';
export { parseXml, parseXmlWithRoot, DEFAULT_MAX_XML_BYTES } from './parse-xml';
export type { ParseXmlOptions } from './parse-xml';
export { safeEqualHex } from './safe-equal-hex';
export { jssdkSignature } from './jssdk-signature';
export type { JssdkSignatureInput } from './jssdk-signature';
export { buildJsapiPayParams, verifyJsapiPaySign } from './jsapi-pay-params';
export type { JsapiPayParams, BuildJsapiPayParamsInput } from './jsapi-pay-params';
export { decryptRefundReqInfo, encryptRefundReqInfo } from './refund-req-info';
export { buildV2PayNotify, buildV2RefundNotify } from './v2-notifies';
export type { V2PayNotifyInput, V2RefundNotifyInput } from './v2-notifies';
export { createNonce } from './create-nonce';
export { createOutTradeNo } from './create-out-trade-no';
export { formatPayTime, parsePayTime } from './pay-time';
export { yuanToFen, fenToYuan } from './money';

export { loadMerchantPrivateKey, loadWechatpayPublicKey, loadPlatformCertificate } from './load-keys';
export type { PlatformCertificate } from './load-keys';
export { readPlatformCertificates } from './platform-certificates';
export {
  V3_AUTH_SCHEME,
  buildV3SignMessage,
  rsaSignBase64,
  rsaVerifyBase64,
  signV3Request,
  parseV3Authorization,
  verifyV3Request,
} from './sign-v3';
export type { SignV3RequestInput, SignedV3Request, V3Authorization } from './sign-v3';
export {
  MAX_CLOCK_SKEW_SECONDS,
  SIGNATURE_PROBE_PREFIX,
  createWechatpayVerifier,
  readWechatpayHeaders,
  signWechatpayMessage,
} from './wechatpay-verifier';
export type {
  WechatpayKeySet,
  WechatpaySignedMessage,
  WechatpayKeyKind,
  VerifiedWechatpayMessage,
  WechatpayVerifier,
  CreateWechatpayVerifierOptions,
  SignWechatpayMessageInput,
} from './wechatpay-verifier';
export { decryptAeadAesGcm, encryptAeadAesGcm, createApiV3Key } from './aead-aes-gcm';
export type { AeadResource, EncryptAeadOptions } from './aead-aes-gcm';
export { encryptSensitiveField, decryptSensitiveField } from './rsa-oaep';
export { buildJsapiPayParamsV3, verifyJsapiPaySignV3 } from './jsapi-pay-params-v3';
export type { JsapiPayParamsV3, BuildJsapiPayParamsV3Input } from './jsapi-pay-params-v3';
