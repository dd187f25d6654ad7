// When the founder is around. "Mon-Fri 09:00-18:00" in an IANA time zone; outside those hours an
// escalation tells the customer when to expect a reply.

export interface BusinessHours {
  /** 0 = Sunday … 6 = Saturday */
  days: number[];
  startMinute: number;
  endMinute: number;
  timeZone: string;
}

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

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

function localParts(at: Date, timeZone: string): { day: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    day: DAY_NAMES.indexOf(get('weekday').toLowerCase().slice(0, 3)),
    minute: Number(get('hour')) * 60 + Number(get('minute')),
  };
}

export function isOpen(hours: BusinessHours, at: Date): boolean {
  const { day, minute } = localParts(at, hours.timeZone);
  return hours.days.includes(day) && minute >= hours.startMinute && minute < hours.endMinute;
}

/** "Mon 09:00" (in the business time zone): the next time the desk opens after `at`. */
export function nextOpening(hours: BusinessHours, at: Date): string {
  const { day, minute } = localParts(at, hours.timeZone);
  for (let offset = 0; offset <= 7; offset++) {
    const d = (day + offset) % 7;
    if (!hours.days.includes(d)) continue;
    if (offset === 0 && minute >= hours.startMinute) continue;
    const hh = String(Math.floor(hours.startMinute / 60)).padStart(2, '0');
    const mm = String(hours.startMinute % 60).padStart(2, '0');
    const dayName = DAY_NAMES[d]!;
    return `${dayName[0]!.toUpperCase()}${dayName.slice(1)} ${hh}:${mm} (${hours.timeZone})`;
  }
  return 'soon';
}
