/**
 * WeUI's care mode (关怀模式: larger text and controls) is `data-weui-mode="care"` on <body>. It follows the
 * system: on when the reader asks for more contrast or has made the browser's base text larger than the 16 px
 * default (WeChat's "font size" setting and the system's large text both do that), or when `?mode=care` asks for
 * it. Dark mode needs nothing here: WeUI follows `prefers-color-scheme` by itself.
 */
export function wantsCareMode(search: string, rootFontSizePx: number, prefersMoreContrast: boolean): boolean {
  const asked = new URLSearchParams(search).get('mode');
  if (asked === 'care') return true;
  if (asked === 'standard') return false;
  return prefersMoreContrast || rootFontSizePx > 16;
}

export function followCareMode(): void {
  const update = () => {
    const rootFontSizePx = Number.parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
    const moreContrast = window.matchMedia('(prefers-contrast: more)').matches;
    if (wantsCareMode(window.location.search, rootFontSizePx, moreContrast)) {
      document.body.setAttribute('data-weui-mode', 'care');
    } else {
      document.body.removeAttribute('data-weui-mode');
    }
  };
  update();
  window.matchMedia('(prefers-contrast: more)').addEventListener('change', update);
}
