// When the founder is around: outside the configured hours an escalation tells the customer
// when to expect a reply.

import { DAY_NAMES, type BusinessHours } from '../config/business-hours.ts';

export function localParts(at: Date, timeZone: string): { day: number; minute: number } {
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
