/**
 * Light or dark, following the host page: dark when the visitor's system asks for it, or when
 * the page itself is dark (its body background), so the widget never glares on a dark site.
 */
export type Theme = 'light' | 'dark';

/** Parses `rgb()`/`rgba()` as getComputedStyle reports colours; undefined when transparent or unreadable. */
export function parseComputedColor(color: string): [number, number, number] | undefined {
  const match = /^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)$/i.exec(color.trim());
  if (!match) return undefined;
  const alphaText = match[4];
  const alpha = alphaText === undefined ? 1 : alphaText.endsWith('%') ? parseFloat(alphaText) / 100 : parseFloat(alphaText);
  if (alpha < 0.5) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/**
 * Perceived lightness (Rec. 601 weights on the sRGB values), 0..1. Deliberately not the
 * linear "relative luminance" of WCAG, on which mid-greys such as #888 would already count as dark.
 */
export function lightness([red, green, blue]: [number, number, number]): number {
  return (0.299 * red + 0.587 * green + 0.114 * blue) / 255;
}

export const DARK_BELOW = 0.4;

export function chooseTheme(prefersDark: boolean, pageBackgrounds: readonly string[]): Theme {
  if (prefersDark) return 'dark';
  // The first opaque background, body before html: what the visitor actually sees behind the widget.
  for (const background of pageBackgrounds) {
    const rgb = parseComputedColor(background);
    if (rgb) return lightness(rgb) < DARK_BELOW ? 'dark' : 'light';
  }
  return 'light';
}
