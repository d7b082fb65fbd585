import { xml2js } from 'xml-js';
import type { Element, Options } from 'xml-js';
import { XmlParseError } from './xml-parse-error';

export interface ParseXmlOptions {
  /** Refuse larger input (UTF-8 bytes) before parsing. Default 64 KiB; WeChat messages are < 4 KiB. */
  maxBytes?: number;
  /** Expected root element. Default `xml`; the refund `req_info` plaintext uses `root`. */
  root?: string;
}

export const DEFAULT_MAX_XML_BYTES = 64 * 1024;

/** Element names starting with this are refused in input: the parser's own sentinel uses it. */
const RESERVED = 'wxh5-core-parse-';
const SENTINEL = `${RESERVED}end`;
/**
 * Built once: xml-js copies and completes its options on every call. `addParent` keeps xml-js
 * from deleting its `parent` link from every closed element (a delete makes V8 switch the
 * object to slow dictionary mode); the links are not used and die with the tree.
 */
const XML_JS_OPTIONS: Readonly<Options.XML2JS> = {
  compact: false,
  addParent: true,
  ignoreComment: true,
  // Keeps a whitespace-only bare value (`<a> </a>`) instead of dropping it.
  captureSpacesBetweenElements: true,
};
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
    const next = xml.charCodeAt(i + 1);
    if (isXmlSpace(next)) {
      // XML allows no whitespace after `<`, but sax does: `< !DOCTYPE`, `< ?php` and `< a>` would reach it as a
      // declaration, an instruction and a tag. Name what it would have been, then refuse it.
      let j = i + 1;
      while (isXmlSpace(xml.charCodeAt(j))) j += 1;
      const hidden = xml.charCodeAt(j);
      if (hidden === 0x21 && /^!doctype/i.test(xml.slice(j, j + 8))) {
        throw new XmlParseError('doctype', `a DOCTYPE (after whitespace at offset ${i}) is not accepted`);
      }
      if (hidden === 0x3f) {
        throw new XmlParseError('instruction', `processing instruction at offset ${i} is not accepted`);
      }
      throw new XmlParseError('not_well_formed', `whitespace after < at offset ${i}`);
    }
    // A plain tag (`<a`, `</a`) needs no look here: the parser checks it.
    if (next !== 0x21 /* ! */ && next !== 0x3f /* ? */) {
      i += 1;
    } else if (xml.startsWith('<![CDATA[', i)) {
      const end = xml.indexOf(']]>', i + 9);
      if (end === -1) throw new XmlParseError('not_well_formed', 'unterminated CDATA section');
      i = end + 3;
    } else if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i + 4);
      if (end === -1) throw new XmlParseError('not_well_formed', 'unterminated comment');
      i = end + 3;
    } else if (next === 0x21) {
      const word = xml.slice(i + 2, i + 9).toUpperCase();
      if (word.startsWith('ENTITY') || (word === 'DOCTYPE' && /<!ENTITY/i.test(xml.slice(i)))) {
        throw new XmlParseError('entity', 'entity declarations are not accepted');
      }
      if (word === 'DOCTYPE') throw new XmlParseError('doctype', 'a DOCTYPE is not accepted');
      throw new XmlParseError('not_well_formed', `unexpected markup declaration at offset ${i}`);
    } else {
      const isDeclaration = i === start && /^<\?xml[\s?]/.test(xml.slice(i, i + 6));
      if (!isDeclaration) {
        throw new XmlParseError('instruction', `processing instruction at offset ${i} is not accepted`);
      }
      const end = xml.indexOf('?>', i + 5);
      if (end === -1) throw new XmlParseError('not_well_formed', 'unterminated XML declaration');
      i = end + 2;
      bodyStart = i;
    }
  }
}

/** XML's whitespace: space, tab, CR, LF. */
function isXmlSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0d || code === 0x0a;
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
  // A UTF-16 code unit is at most 3 UTF-8 bytes, so short input needs no byte count.
  if (xml.length > maxBytes || (xml.length * 3 > maxBytes && Buffer.byteLength(xml, 'utf8') > maxBytes)) {
    throw new XmlParseError('too_large', `input exceeds ${maxBytes} bytes`);
  }
  if (isBlank(xml)) throw new XmlParseError('empty', 'input is empty');

  const start = xml.charCodeAt(0) === 0xfeff ? 1 : 0;
  const body = xml.slice(scanMarkup(xml, start));

  if (body.includes(RESERVED)) {
    throw new XmlParseError('not_well_formed', 'reserved element name in input');
  }

  // xml-js sets sax's strictEntities too late, so HTML entities (`&nbsp;`) would be decoded
  // silently. XML itself knows only these five and character references.
  if (body.includes('&') && UNKNOWN_ENTITY.test(body.replace(SKIPPED_SECTIONS, ''))) {
    throw new XmlParseError('not_well_formed', 'reference to an undeclared entity');
  }

  let doc: Element;
  try {
    // xml-js lets sax record errors found at end of input (an unclosed root, a truncated tag, an
    // unterminated attribute value that swallows the rest) without throwing them; errors found
    // mid-stream are thrown. A sentinel element is appended: sax can only report it as the
    // last top-level element if every element before it was closed and the input ended as
    // markup, and then nothing is left for the end of input to report.
    doc = xml2js(`${body}<${SENTINEL}/>`, XML_JS_OPTIONS) as Element;
  } catch (error) {
    const detail = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    throw new XmlParseError('not_well_formed', detail, { cause: error });
  }

  const top = doc.elements ?? [];
  if (top.pop()?.name !== SENTINEL) {
    throw new XmlParseError('not_well_formed', 'input ends inside markup');
  }
  let root: Element | undefined;
  for (const node of top) {
    if (node.type === 'element') {
      if (root !== undefined) throw new XmlParseError('not_well_formed', 'more than one root element');
      root = node;
    } else if (node.type === 'cdata' || (node.type === 'text' && !isBlank(String(node.text ?? '')))) {
      throw new XmlParseError('not_well_formed', 'text outside the root element');
    }
  }
  if (root === undefined) throw new XmlParseError('not_well_formed', 'no root element');
  if (root.name !== rootName) {
    throw new XmlParseError('wrong_root', `root is <${String(root.name)}>, expected <${rootName}>`);
  }
  if (root.attributes !== undefined) throw new XmlParseError('attributes', `<${rootName}> has attributes`);

  const fields: Record<string, string> = {};
  for (const node of root.elements ?? []) {
    if (node.type === 'element') {
      const name = String(node.name);
      if (node.attributes !== undefined)
        throw new XmlParseError('attributes', `field <${name}> has attributes`);
      if (Object.hasOwn(fields, name)) throw new XmlParseError('duplicate', `field <${name}> appears twice`);
      const value = leafText(node);
      // A plain assignment to __proto__ would set the prototype: define it as an own field.
      if (name === '__proto__') {
        Object.defineProperty(fields, name, { value, enumerable: true, writable: true, configurable: true });
      } else {
        fields[name] = value;
      }
    } else if (node.type === 'text' && isBlank(String(node.text ?? ''))) {
      continue;
    } else if (node.type === 'text' || node.type === 'cdata') {
      throw new XmlParseError('not_well_formed', `text directly inside <${rootName}>`);
    }
  }
  return fields;
}

/** `parseXml` with another root element, e.g. `parseXmlWithRoot(plaintext, 'root')` for refund notifies. */
export function parseXmlWithRoot(
  xml: unknown,
  root: string,
  options: Omit<ParseXmlOptions, 'root'> = {},
): Record<string, string> {
  return parseXml(xml, { ...options, root });
}
