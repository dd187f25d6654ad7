// BUSINESS_HOURS as the configuration reads it: "Mon-Fri 09:00-18:00" in an IANA time zone. What
// the hours mean for a customer (open now? next opening?) is the core's: core/business-hours.ts.

export interface BusinessHours {
  /** 0 = Sunday … 6 = Saturday */
  days: number[];
  startMinute: number;
  endMinute: number;
  timeZone: string;
}

export const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** Parses "Mon-Fri 09:00-18:00" (or "Mon,Wed,Fri 10:00-16:00"); returns an error message on failure. */
export function parseBusinessHours(spec: string, timeZone: string): BusinessHours | string {
  const match = /^\s*([a-z,\s-]+?)\s+(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$/i.exec(spec);
  if (!match) return 'must look like "Mon-Fri 09:00-18:00"';
  const days = new Set<number>();
  for (const part of match[1]!.toLowerCase().split(',')) {
    const [from, to] = part.trim().split('-').map((d) => DAY_NAMES.indexOf(d.trim().slice(0, 3)));
    if (from === undefined || from < 0 || (to !== undefined && to < 0)) return `unknown day in "${part.trim()}"`;
    for (let d = from; ; d = (d + 1) % 7) {
      days.add(d);
      if (d === (to ?? from)) break;
    }
  }
  const startMinute = Number(match[2]) * 60 + Number(match[3]);
  const endMinute = Number(match[4]) * 60 + Number(match[5]);
  if (startMinute >= endMinute || endMinute > 24 * 60) return 'the opening time must come before the closing time';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    return `unknown time zone "${timeZone}"`;
  }
  return { days: [...days].sort(), startMinute, endMinute, timeZone };
}

