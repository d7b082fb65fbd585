import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nonEmptyParams, params, runs } from '../test/arbitraries';
import { buildXml, buildXmlReply } from './build-xml';
import { parseXml, parseXmlWithRoot } from './parse-xml';
import { XmlBuildError } from './xml-build-error';
import { XmlParseError } from './xml-parse-error';
import type { XmlParseErrorReason } from './xml-parse-error';

function reasonOf(run: () => unknown): XmlParseErrorReason | 'no error' | 'other error' {
  try {
    run();
    return 'no error';
  } catch (error) {
    return error instanceof XmlParseError ? error.reason : 'other error';
  }
}

const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<xml><a>&lol3;</a></xml>`;

const hostile: [string, unknown, XmlParseErrorReason][] = [
  ['billion laughs', billionLaughs, 'entity'],
  [
    'an external entity (XXE SYSTEM)',
    '<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><a>&xxe;</a></xml>',
    'entity',
  ],
  [
    'a public external entity',
    '<!DOCTYPE xml [<!ENTITY x PUBLIC "-//x" "http://evil/x">]><xml><a>&x;</a></xml>',
    'entity',
  ],
  ['a parameter entity', '<!DOCTYPE xml [<!ENTITY % p SYSTEM "http://evil/p.dtd"> %p;]><xml/>', 'entity'],
  ['an entity declaration outside any DOCTYPE', '<!ENTITY x "y"><xml/>', 'entity'],
  ['a DOCTYPE alone', '<!DOCTYPE xml><xml><a>1</a></xml>', 'doctype'],
  ['a DOCTYPE with an external DTD', '<!DOCTYPE xml SYSTEM "http://evil/x.dtd"><xml/>', 'doctype'],
  ['a lower-case doctype', '<!doctype xml><xml/>', 'doctype'],
  ['the wrong root', '<root><a>1</a></root>', 'wrong_root'],
  ['an html document', '<html><body>hi</body></html>', 'wrong_root'],
  ['a nested element', '<xml><a><b>1</b></a></xml>', 'nested'],
  ['an unclosed root', '<xml><a>1</a>', 'not_well_formed'],
  ['an unclosed field', '<xml><a>1</xml>', 'not_well_formed'],
  ['mismatched tags', '<xml><a>1</b></xml>', 'not_well_formed'],
  ['a truncated closing tag', '<xml><a>1</a></xml', 'not_well_formed'],
  ['an unterminated attribute value', '<xml><a b="1</a></xml>', 'not_well_formed'],
  ['an unterminated CDATA section', '<xml><a><![CDATA[1</a></xml>', 'not_well_formed'],
  ['an undeclared entity reference', '<xml><a>&nbsp;</a></xml>', 'not_well_formed'],
  ['binary junk', '\u0000\u0001\u0002\ufffe\uffff\u00ff', 'not_well_formed'],
  ['plain text', 'return_code=SUCCESS', 'not_well_formed'],
  ['JSON', '{"return_code":"SUCCESS"}', 'not_well_formed'],
  ['two roots', '<xml><a>1</a></xml><xml><a>2</a></xml>', 'not_well_formed'],
  ['text after the root', '<xml><a>1</a></xml>trailing', 'not_well_formed'],
  ['text before the root', 'leading<xml><a>1</a></xml>', 'not_well_formed'],
  ['text directly inside the root', '<xml>loose<a>1</a></xml>', 'not_well_formed'],
  [
    'the reserved wrapper name',
    '<xml/></wxh5-core-parse-wrapper><wxh5-core-parse-wrapper>',
    'not_well_formed',
  ],
  ['an unterminated attribute value after the root', '<xml><a>1</a></xml><b c="', 'not_well_formed'],
  ['a truncated tag after the root', '<xml/><b', 'not_well_formed'],
  ['an unclosed element after the root', '<xml/><b>', 'not_well_formed'],
  ['CDATA after the root', '<xml/><![CDATA[x]]>', 'not_well_formed'],
  ['the reserved sentinel name', '<xml/><wxh5-core-parse-end/>', 'not_well_formed'],
  ['10 MB', `<xml><a>${'x'.repeat(10 * 1024 * 1024)}</a></xml>`, 'too_large'],
  ['64 KiB of multi-byte text', `<xml><a>${'中'.repeat(22 * 1024)}</a></xml>`, 'too_large'],
  ['an empty string', '', 'empty'],
  ['only whitespace', ' \n\t\r\n ', 'empty'],
  ['a Buffer', Buffer.from('<xml/>'), 'not_string'],
  ['undefined', undefined, 'not_string'],
  ['a processing instruction inside the root', '<xml><?php echo 1; ?><a>1</a></xml>', 'instruction'],
  ['a stylesheet instruction before the root', '<?xml-stylesheet href="x.xsl"?><xml/>', 'instruction'],
  ['a second XML declaration', '<?xml version="1.0"?><?xml version="1.0"?><xml/>', 'instruction'],
  ['an XML declaration after whitespace', ' <?xml version="1.0"?><xml/>', 'instruction'],
  ['an attribute on the root', '<xml a="1"><b>2</b></xml>', 'attributes'],
  ['an attribute on a field', '<xml><b xmlns="urn:x">2</b></xml>', 'attributes'],
  ['a repeated field', '<xml><total_fee>1</total_fee><total_fee>100</total_fee></xml>', 'duplicate'],
  // sax accepts whitespace after `<`; XML does not, and the pre-scan must not be fooled by it.
  ['a DOCTYPE after whitespace', '< !DOCTYPE xml SYSTEM "http://evil/x.dtd"><xml><a>1</a></xml>', 'doctype'],
  ['a DOCTYPE after a newline', '<\n!doctype xml><xml/>', 'doctype'],
  ['an instruction after whitespace', '<xml>< ?php system(1) ?><a>1</a></xml>', 'instruction'],
  ['a tag after whitespace', '<xml>< a>1</a></xml>', 'not_well_formed'],
  ['a closing tag after whitespace', '<xml><a>1< /a></xml>', 'not_well_formed'],
  ['a root after whitespace', '< xml><a>1</a></xml>', 'not_well_formed'],
];

/** One edit of a message: insert, replace or delete at a position (taken modulo the length). */
type Mutation =
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'replace'; at: number; text: string }
  | { kind: 'delete'; at: number; length: number };

/** Characters that matter to a parser, plus some that do not. */
const markupText = fc.string({
  unit: fc.constantFrom(
    '<',
    '>',
    '/',
    '!',
    '?',
    '[',
    ']',
    '&',
    ';',
    '#',
    '"',
    "'",
    '=',
    ' ',
    '\n',
    '-',
    'x',
    'a',
    '中',
    '\u0000',
  ),
  minLength: 1,
  maxLength: 4,
});
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(
      markupText,
      fc.constantFrom(
        '<!DOCTYPE x>',
        '< !DOCTYPE x>',
        '<?php ?>',
        '< ?x?>',
        '<a>',
        '< a>',
        '</a>',
        '<![CDATA[',
        ']]>',
        '<!--',
        '-->',
        '&lt;',
        '&nbsp;',
      ),
    ),
  }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), text: markupText }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 6 }) }),
);

function applyMutation(xml: string, m: Mutation): string {
  const at = m.at % (xml.length + 1);
  if (m.kind === 'insert') return xml.slice(0, at) + m.text + xml.slice(at);
  if (m.kind === 'replace') return xml.slice(0, at) + m.text + xml.slice(at + m.text.length);
  return xml.slice(0, at) + xml.slice(at + m.length);
}

describe('parseXml', () => {
  it.each(hostile)('rejects %s', (_name, input, reason) => {
    expect(reasonOf(() => parseXml(input))).toBe(reason);
  });

  it('refuses every truncation of a message, wherever it is cut', () => {
    fc.assert(
      fc.property(params, fc.nat(), (p, at) => {
        const xml = buildXml(p);
        const cut = 1 + (at % (xml.length - 1));
        expect(reasonOf(() => parseXml(xml.slice(0, cut)))).toBe('not_well_formed');
      }),
      runs,
    );
  });

  it('re-serialises every accepted mutation of a valid message to the same fields (mutation fuzz)', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(nonEmptyParams, fc.array(mutation, { minLength: 1, maxLength: 3 }), (p, mutations) => {
        const xml = mutations.reduce(applyMutation, buildXml(p));
        let fields: Record<string, string>;
        try {
          fields = parseXml(xml);
        } catch (error) {
          expect(error).toBeInstanceOf(XmlParseError);
          refused += 1;
          return;
        }
        accepted += 1;
        // What was accepted is a plain flat message: outside CDATA and comments no declaration, instruction or spaced
        // tag survives, and writing it again reads back the same fields.
        expect(xml.replace(/<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->/g, '')).not.toMatch(
          /<\s*!\s*(doctype|entity)|<\s*\?(?!xml[\s?])|<\s+[^\s]/i,
        );
        expect(parseXml(buildXml(fields))).toEqual(fields);
      }),
      // 2,500 messages × 1–3 edits each: about 5,000 mutations.
      { numRuns: 2500 },
    );
    // The generator reaches both sides, so the property is not vacuous.
    expect(accepted).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  }, 120_000);

  it('reads CDATA and bare text alike, keeping whitespace inside values', () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?>\n<xml>\n  <return_code><![CDATA[SUCCESS]]></return_code>\n' +
      '  <total_fee>100</total_fee>\n  <attach><![CDATA[ a b ]]></attach>\n  <body>&lt;&amp;&#x4e2d;</body>\n' +
      '  <empty></empty><self/><!-- a comment -->\n</xml>\n';
    expect(parseXml(xml)).toEqual({
      return_code: 'SUCCESS',
      total_fee: '100',
      attach: ' a b ',
      body: '<&中',
      empty: '',
      self: '',
    });
  });

  it('reads a value split over several CDATA sections', () => {
    expect(parseXml('<xml><a><![CDATA[x]]]]><![CDATA[>y]]></a></xml>')).toEqual({ a: 'x]]>y' });
  });

  it('keeps a field named __proto__ as an own field', () => {
    const parsed = parseXml('<xml><__proto__>1</__proto__></xml>');
    expect(Object.getOwnPropertyDescriptor(parsed, '__proto__')?.value).toBe('1');
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
  });

  it('ignores a byte order mark', () => {
    expect(parseXml('\ufeff<xml><a>1</a></xml>')).toEqual({ a: '1' });
  });

  it('honours a smaller maxBytes', () => {
    expect(reasonOf(() => parseXml('<xml><a>12345</a></xml>', { maxBytes: 10 }))).toBe('too_large');
  });

  it('reads the refund plaintext under its <root> element, and refuses <xml> there', () => {
    expect(parseXmlWithRoot('<root><a>1</a></root>', 'root')).toEqual({ a: '1' });
    expect(reasonOf(() => parseXmlWithRoot('<xml><a>1</a></xml>', 'root'))).toBe('wrong_root');
  });

  it('names the reason in the message and carries a stable code', () => {
    try {
      parseXml('<!DOCTYPE x><xml/>');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(XmlParseError);
      expect((error as XmlParseError).code).toBe('XML_PARSE_ERROR');
      expect((error as XmlParseError).message).toContain('doctype');
    }
  });
});

describe('buildXml', () => {
  it('round-trips through parseXml to the defined input, as strings', () => {
    fc.assert(
      fc.property(params, (p) => {
        const expected: Record<string, string> = {};
        for (const [name, value] of Object.entries(p)) {
          if (value !== undefined && value !== null) expected[name] = String(value);
        }
        expect(parseXml(buildXml(p))).toEqual(expected);
      }),
      runs,
    );
  });

  it('writes strings in CDATA and numbers bare, skipping undefined and null', () => {
    expect(buildXml({ a: 'x', b: 1, c: undefined, d: null, e: '' })).toBe(
      '<xml><a><![CDATA[x]]></a><b>1</b><e><![CDATA[]]></e></xml>',
    );
  });

  it('splits a value containing ]]> over two CDATA sections', () => {
    expect(buildXml({ a: 'x]]>y' })).toBe('<xml><a><![CDATA[x]]]]><![CDATA[>y]]></a></xml>');
  });

  it('refuses names that would break the markup', () => {
    expect(() => buildXml({ 'a><b': '1' })).toThrow(XmlBuildError);
    expect(() => buildXml({ '': '1' })).toThrow(XmlBuildError);
    expect(() => buildXml({ a: '1' }, { root: 'x y' })).toThrow(XmlBuildError);
  });

  it('refuses numbers that are not finite', () => {
    expect(() => buildXml({ a: Number.NaN })).toThrow(XmlBuildError);
  });
});

describe('buildXmlReply', () => {
  it('answers a notify with SUCCESS and OK', () => {
    expect(buildXmlReply('SUCCESS')).toBe(
      '<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>',
    );
  });

  it('answers FAIL with the given message', () => {
    expect(parseXml(buildXmlReply('FAIL', '签名错误'))).toEqual({
      return_code: 'FAIL',
      return_msg: '签名错误',
    });
  });
});

describe('parseXml with entities and whitespace', () => {
  it('keeps a whitespace-only bare value', () => {
    expect(parseXml('<xml><a> </a><b>\n</b></xml>')).toEqual({ a: ' ', b: '\n' });
  });

  it('accepts an ampersand inside CDATA and comments', () => {
    expect(parseXml('<xml><!-- &nbsp; --><a><![CDATA[&nbsp;]]></a></xml>')).toEqual({ a: '&nbsp;' });
  });

  it('rejects an HTML entity in bare text', () => {
    expect(reasonOf(() => parseXml('<xml><a>&copy;</a></xml>'))).toBe('not_well_formed');
  });
});
