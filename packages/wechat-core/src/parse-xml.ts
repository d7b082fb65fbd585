import { xml2js } from 'xml-js';
import type { Element } from 'xml-js';
import { XmlParseError } from './xml-parse-error';

export interface ParseXmlOptions {
  /** Refuse larger input (UTF-8 bytes) before parsing. Default 64 KiB; WeChat messages are < 4 KiB. */
  maxBytes?: number;
  /** Expected root element. Default `xml`; the refund `req_info` plaintext uses `root`. */
  root?: string;
}

export const DEFAULT_MAX_XML_BYTES = 64 * 1024;

const WRAPPER = 'wxh5-core-parse-wrapper';
const SENTINEL = 'wxh5-core-parse-end';
const UNKNOWN_ENTITY = /&(?!(?:lt|gt|amp|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);)/;
const SKIPPED_SECTIONS = /<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->/g;

/**
 * Returns where the document proper starts (after a BOM and the XML declaration).
 * Refuses DTDs, entity declarations and processing instructions BEFORE the parser sees them
 * (billion laughs, XXE). Only CDATA sections and comments are skipped, since their content is
 * not markup; one `<?xml …?>` declaration at the very start is allowed.
 */
function scanMarkup(xml: string, start: number): number {
  let bodyStart = start;
  let i = start;
  for (;;) {
    i = xml.indexOf('<', i);
    if (i === -1) return bodyStart;
    if (xml.startsWith('<![CDATA[', i)) {
      const end = xml.indexOf(']]>', i + 9);
      if (end === -1) throw new XmlParseError('not_well_formed', 'unterminated CDATA section');
      i = end + 3;
    } else if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i + 4);
      if (end === -1) throw new XmlParseError('not_well_formed', 'unterminated comment');
      i = end + 3;
    } else if (xml.startsWith('<!', i)) {
      const word = xml.slice(i + 2, i + 9).toUpperCase();
      if (word.startsWith('ENTITY') || (word === 'DOCTYPE' && /<!ENTITY/i.test(xml.slice(i)))) {
        throw new XmlParseError('entity', 'entity declarations are not accepted');
      }
      if (word === 'DOCTYPE') throw new XmlParseError('doctype', 'a DOCTYPE is not accepted');
      throw new XmlParseError('not_well_formed', `unexpected markup declaration at offset ${i}`);
    } else if (xml.startsWith('<?', i)) {
      const isDeclaration = i === start && /^<\?xml[\s?]/.test(xml.slice(i, i + 6));
      if (!isDeclaration) {
        throw new XmlParseError('instruction', `processing instruction at offset ${i} is not accepted`);
      }
      const end = xml.indexOf('?>', i + 5);
      if (end === -1) throw new XmlParseError('not_well_formed', 'unterminated XML declaration');
      i = end + 2;
      bodyStart = i;
    } else {
      i += 1;
    }
  }
}

function isBlank(text: string): boolean {
  return text.trim() === '';
}

function leafText(field: Element): string {
  let text = '';
  for (const node of field.elements ?? []) {
    if (node.type === 'text') text += String(node.text ?? '');
    else if (node.type === 'cdata') text += String(node.cdata ?? '');
    else if (node.type === 'element') {
      throw new XmlParseError('nested', `field <${String(field.name)}> contains an element`);
    }
  }
  return text;
}

/**
 * Parses a flat WeChat XML message into `{ field: text }`. Accepts CDATA and bare text alike
 * (WeChat sends numbers bare); values are not trimmed. Strict on purpose: one root named `xml`
 * (or `options.root`), no attributes (WeChat never sends any, so one is a sign of a forged or
 * foreign document), no nested elements, no repeated field, no text beside the fields.
 * Throws `XmlParseError` with a stable `reason`.
 */
export function parseXml(xml: unknown, options: ParseXmlOptions = {}): Record<string, string> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_XML_BYTES;
  const rootName = options.root ?? 'xml';
  if (typeof xml !== 'string') throw new XmlParseError('not_string', `expected a string, got ${typeof xml}`);
  if (xml.length > maxBytes || Buffer.byteLength(xml, 'utf8') > maxBytes) {
    throw new XmlParseError('too_large', `input exceeds ${maxBytes} bytes`);
  }
  if (isBlank(xml)) throw new XmlParseError('empty', 'input is empty');

  const start = xml.charCodeAt(0) === 0xfeff ? 1 : 0;
  const body = xml.slice(scanMarkup(xml, start));

  if (body.includes('wxh5-core-parse-')) {
    throw new XmlParseError('not_well_formed', 'reserved element name in input');
  }

  // xml-js sets sax's strictEntities too late, so HTML entities (`&nbsp;`) would be decoded
  // silently. XML itself knows only these five and character references.
  if (body.includes('&') && UNKNOWN_ENTITY.test(body.replace(SKIPPED_SECTIONS, ''))) {
    throw new XmlParseError('not_well_formed', 'reference to an undeclared entity');
  }

  let doc: Element;
  try {
    // xml-js lets sax record errors found at end of input (an unclosed root, a truncated tag)
    // without throwing them. Inside a wrapper element every such error happens mid-stream and
    // is thrown. The sentinel proves the parser reached the end of the input as markup (an
    // unterminated attribute value would otherwise swallow the rest silently). The wrapper's
    // children are then checked for "one root, no stray text".
    doc = xml2js(`<${WRAPPER}>${body}<${SENTINEL}/></${WRAPPER}>`, {
      compact: false,
      ignoreComment: true,
      // Keeps a whitespace-only bare value (`<a> </a>`) instead of dropping it.
      captureSpacesBetweenElements: true,
    }) as Element;
  } catch (error) {
    const detail = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    throw new XmlParseError('not_well_formed', detail, { cause: error });
  }

  const wrappers = doc.elements ?? [];
  const wrapper = wrappers[0];
  if (wrappers.length !== 1 || wrapper?.name !== WRAPPER) {
    throw new XmlParseError('not_well_formed', 'content after the root element');
  }
  const outside = wrapper.elements ?? [];
  if (outside.pop()?.name !== SENTINEL) {
    throw new XmlParseError('not_well_formed', 'input ends inside markup');
  }
  if (
    outside.some(
      (node) => (node.type === 'text' && !isBlank(String(node.text ?? ''))) || node.type === 'cdata',
    )
  ) {
    throw new XmlParseError('not_well_formed', 'text outside the root element');
  }
  const top = outside.filter((node) => node.type === 'element');
  const root = top[0];
  if (root === undefined) throw new XmlParseError('not_well_formed', 'no root element');
  if (top.length > 1) throw new XmlParseError('not_well_formed', 'more than one root element');
  if (root.name !== rootName) {
    throw new XmlParseError('wrong_root', `root is <${String(root.name)}>, expected <${rootName}>`);
  }
  if (root.attributes !== undefined) throw new XmlParseError('attributes', `<${rootName}> has attributes`);

  const entries: [string, string][] = [];
  const seen = new Set<string>();
  for (const node of root.elements ?? []) {
    if (node.type === 'element') {
      const name = String(node.name);
      if (node.attributes !== undefined)
        throw new XmlParseError('attributes', `field <${name}> has attributes`);
      if (seen.has(name)) throw new XmlParseError('duplicate', `field <${name}> appears twice`);
      seen.add(name);
      entries.push([name, leafText(node)]);
    } else if (node.type === 'text' && isBlank(String(node.text ?? ''))) {
      continue;
    } else if (node.type === 'text' || node.type === 'cdata') {
      throw new XmlParseError('not_well_formed', `text directly inside <${rootName}>`);
    }
  }
  // fromEntries defines own properties, so a field named __proto__ stays a plain field.
  return Object.fromEntries(entries);
}

/** `parseXml` with another root element, e.g. `parseXmlWithRoot(plaintext, 'root')` for refund notifies. */
export function parseXmlWithRoot(
  xml: unknown,
  root: string,
  options: Omit<ParseXmlOptions, 'root'> = {},
): Record<string, string> {
  return parseXml(xml, { ...options, root });
}
