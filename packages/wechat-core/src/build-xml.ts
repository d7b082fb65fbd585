import { XmlBuildError } from './xml-build-error';

/** A flat message to write. `undefined` and `null` fields are left out; `''` is written empty. */
export type XmlParams = Readonly<Record<string, string | number | null | undefined>>;

export interface BuildXmlOptions {
  /** Root element name. WeChat messages use `xml`; the refund `req_info` plaintext uses `root`. */
  root?: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function assertName(name: string): void {
  if (!NAME.test(name)) {
    throw new XmlBuildError('invalid_name', `not a safe XML element name: ${JSON.stringify(name)}`);
  }
}

/** CDATA cannot contain `]]>`: close the section between `]]` and `>` and open a new one. */
function cdata(value: string): string {
  const safe = value.includes(']]>') ? value.replaceAll(']]>', ']]]]><![CDATA[>') : value;
  return `<![CDATA[${safe}]]>`;
}

/**
 * Writes a flat WeChat XML message: strings in CDATA (as WeChat does), numbers bare, fields in
 * insertion order (order does not matter to WeChat; the signature sorts its own copy).
 */
export function buildXml(params: XmlParams, options: BuildXmlOptions = {}): string {
  const root = options.root ?? 'xml';
  assertName(root);
  let out = `<${root}>`;
  for (const name of Object.keys(params)) {
    const value = params[name];
    if (value === undefined || value === null) continue;
    assertName(name);
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) {
        throw new XmlBuildError('invalid_value', `field ${name} is not a finite number`);
      }
      out += `<${name}>${String(value)}</${name}>`;
    } else if (typeof value === 'string') {
      out += `<${name}>${cdata(value)}</${name}>`;
    } else {
      throw new XmlBuildError('invalid_value', `field ${name} must be a string or a number`);
    }
  }
  return `${out}</${root}>`;
}

/**
 * The answer to a v2 notify (payment or refund). WeChat retries until it reads `SUCCESS`
 * (15 retries over ~24 h), so answer `FAIL` only when a retry could help.
 */
export function buildXmlReply(
  returnCode: 'SUCCESS' | 'FAIL',
  returnMsg = returnCode === 'SUCCESS' ? 'OK' : 'FAIL',
): string {
  return buildXml({ return_code: returnCode, return_msg: returnMsg });
}
