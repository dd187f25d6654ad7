import { describe, expect, it } from 'vitest';
import { parseBusinessHours, type BusinessHours } from '../../src/config/business-hours.ts';
import { isOpen, nextOpening } from '../../src/core/business-hours.ts';

function hours(spec: string, zone = 'Europe/Berlin'): BusinessHours {
  const parsed = parseBusinessHours(spec, zone);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

describe('business hours', () => {
  it('parses day ranges and lists, wrapping past Sunday', () => {
    expect(hours('Mon-Fri 09:00-18:00')).toMatchObject({ days: [1, 2, 3, 4, 5], startMinute: 540, endMinute: 1080 });
    expect(hours('Mon,Wed,Fri 10:00-16:00').days).toEqual([1, 3, 5]);
    expect(hours('Fri-Mon 08:00-12:00').days).toEqual([0, 1, 5, 6]);
  });

  it('says what is wrong with a bad specification', () => {
    expect(parseBusinessHours('weekdays', 'UTC')).toMatch(/Mon-Fri 09:00-18:00/);
    expect(parseBusinessHours('Mon-Fry 09:00-18:00', 'UTC')).toMatch(/unknown day/);
    expect(parseBusinessHours('Mon-Fri 18:00-09:00', 'UTC')).toMatch(/before the closing time/);
    expect(parseBusinessHours('Mon-Fri 09:00-18:00', 'Mars/Olympus')).toMatch(/unknown time zone/);
  });

  it('is open inside the hours in the business time zone, not in UTC', () => {
    const berlin = hours('Mon-Fri 09:00-18:00');
    // Tuesday 2026-12-01 08:30 UTC is 09:30 in Berlin (CET, UTC+1)
    expect(isOpen(berlin, new Date('2026-12-01T08:30:00Z'))).toBe(true);
    expect(isOpen(berlin, new Date('2026-12-01T07:30:00Z'))).toBe(false);
    // 18:00 Berlin is closed (the end is exclusive)
    expect(isOpen(berlin, new Date('2026-12-01T17:00:00Z'))).toBe(false);
    // Saturday
    expect(isOpen(berlin, new Date('2026-12-05T12:00:00Z'))).toBe(false);
  });

  it('names the next opening', () => {
    const berlin = hours('Mon-Fri 09:00-18:00');
    expect(nextOpening(berlin, new Date('2026-12-01T06:00:00Z'))).toBe('Tue 09:00 (Europe/Berlin)');
    expect(nextOpening(berlin, new Date('2026-12-01T20:00:00Z'))).toBe('Wed 09:00 (Europe/Berlin)');
    expect(nextOpening(berlin, new Date('2026-12-04T20:00:00Z'))).toBe('Mon 09:00 (Europe/Berlin)');
  });
});
