import { describe, expect, it } from 'vitest';
import { chooseTheme, parseComputedColor } from '../../../../src/adapters/web/widget/theme.ts';

describe('chooseTheme', () => {
  it('is dark when the system prefers dark, whatever the page', () => {
    expect(chooseTheme(true, ['rgb(255, 255, 255)'])).toBe('dark');
  });

  it('follows the first opaque page background', () => {
    expect(chooseTheme(false, ['rgb(18, 18, 18)'])).toBe('dark');
    expect(chooseTheme(false, ['rgb(250, 250, 250)'])).toBe('light');
    expect(chooseTheme(false, ['rgba(0, 0, 0, 0)', 'rgb(20, 24, 30)'])).toBe('dark');
    expect(chooseTheme(false, ['rgba(0, 0, 0, 0)', 'rgba(0, 0, 0, 0)'])).toBe('light');
    expect(chooseTheme(false, [])).toBe('light');
  });

  it('puts the boundary at lightness 0.4', () => {
    expect(chooseTheme(false, ['rgb(96, 96, 96)'])).toBe('dark');
    expect(chooseTheme(false, ['rgb(110, 110, 110)'])).toBe('light');
  });
});

describe('parseComputedColor', () => {
  it('reads rgb, rgba and the space syntax; transparent is no colour', () => {
    expect(parseComputedColor('rgb(1, 2, 3)')).toEqual([1, 2, 3]);
    expect(parseComputedColor('rgba(1, 2, 3, 0.9)')).toEqual([1, 2, 3]);
    expect(parseComputedColor('rgb(1 2 3 / 80%)')).toEqual([1, 2, 3]);
    expect(parseComputedColor('rgba(0, 0, 0, 0)')).toBeUndefined();
    expect(parseComputedColor('transparent')).toBeUndefined();
  });
});
