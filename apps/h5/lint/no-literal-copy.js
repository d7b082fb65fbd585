// House style #16: user-visible words live in the catalogues (apps/h5/src/shared/i18n/messages), Chinese first.
// These `no-restricted-syntax` selectors fail `pnpm lint` on copy written straight into an H5 component: text
// between JSX tags, a literal in an attribute people read (title, alt, placeholder, aria-label…), and any Chinese
// string outside the catalogues. Symbols (¥, ‹, ·) and numbers carry no language and pass.
const MESSAGE =
  'User-visible words belong in the catalogues (src/shared/i18n/messages/*): use m.… from useI18n() instead.';
const WORDS = '/[A-Za-z\\u4e00-\\u9fff]/';
const HAN = '/[\\u3400-\\u9fff\\uff01-\\uff5e]/';
const READ_ATTRIBUTES = '/^(title|alt|placeholder|label|aria-label|aria-description|aria-placeholder)$/';

export const noLiteralCopySelectors = [
  { selector: `JSXText[value=${WORDS}]`, message: MESSAGE },
  { selector: `JSXAttribute[name.name=${READ_ATTRIBUTES}] > Literal[value=${WORDS}]`, message: MESSAGE },
  {
    selector: `JSXAttribute[name.name=${READ_ATTRIBUTES}] > JSXExpressionContainer > Literal[value=${WORDS}]`,
    message: MESSAGE,
  },
  { selector: `Literal[value=${HAN}]`, message: MESSAGE },
  { selector: `TemplateElement[value.raw=${HAN}]`, message: MESSAGE },
];
