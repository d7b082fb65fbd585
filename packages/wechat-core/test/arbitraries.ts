import fc from 'fast-check';

/** Chinese text, the usual content of `body` and `attach`. */
export const chinese = fc.string({
  unit: fc.integer({ min: 0x4e00, max: 0x9fa5 }).map((code) => String.fromCharCode(code)),
  minLength: 1,
  maxLength: 12,
});

/** Field names as WeChat uses them; `sign` and `sign_type` are left to each test. */
export const fieldName = fc
  .stringMatching(/^[a-z][a-z0-9_]{0,15}$/)
  .filter((name) => name !== 'sign' && name !== 'sign_type');

/** A non-empty value: ASCII, any Unicode, Chinese, CDATA terminators, numbers. */
export const nonEmptyValue = fc.oneof(
  fc.string({ minLength: 1, maxLength: 24 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
  chinese,
  fc.constantFrom(']]>', 'a]]>b]]>', '<![CDATA[x]]>', '&amp;<tag>', ' padded '),
  fc.integer({ min: 0, max: 1_000_000_000 }),
);

export const maybeEmptyValue = fc.oneof(
  { weight: 4, arbitrary: nonEmptyValue },
  { weight: 1, arbitrary: fc.constantFrom('', undefined, null) },
);

export const params = fc.dictionary(fieldName, maybeEmptyValue, { minKeys: 1, maxKeys: 10 });

export const nonEmptyParams = fc.dictionary(fieldName, nonEmptyValue, { minKeys: 1, maxKeys: 10 });

export const runs = { numRuns: 200 };
