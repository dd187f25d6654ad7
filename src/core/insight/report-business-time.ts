// How long something took counting only the hours the desk is open (BUSINESS_HOURS): a question
// asked Friday 17:50 and answered Monday 09:10, with Mon–Fri 09:00–18:00, waited 20 business
// minutes. The founder is one person; nights and weekends are not slowness.

import type { BusinessHours } from '../../config/business-hours.ts';
import { localParts } from '../business-hours.ts';

const MINUTE_MS = 60_000;

/** Open business time between `from` and `to`, in milliseconds (0 when `to` is not after `from`). */
export function businessMs(hours: BusinessHours, from: Date, to: Date): number {
  let at = from.getTime();
  const end = to.getTime();
  let total = 0;
  // Each step lands on a close or an opening, so the loop runs about twice per day spanned.
  // Positions are re-read in the time zone at every step: a DST change moves the next step, not the sum.
  while (at < end) {
    const { day, minute } = localParts(new Date(at), hours.timeZone);
    const intoMinuteMs = ((at % MINUTE_MS) + MINUTE_MS) % MINUTE_MS;
    const msOfDay = minute * MINUTE_MS + intoMinuteMs;
    const openDay = hours.days.includes(day);
    if (openDay && msOfDay >= hours.startMinute * MINUTE_MS && msOfDay < hours.endMinute * MINUTE_MS) {
      const closesAt = at + hours.endMinute * MINUTE_MS - msOfDay;
      total += Math.min(closesAt, end) - at;
      at = closesAt;
    } else if (openDay && msOfDay < hours.startMinute * MINUTE_MS) {
      at += hours.startMinute * MINUTE_MS - msOfDay;
    } else {
      // To the next local midnight; that day's opening (if any) is the next step.
      at += 24 * 60 * MINUTE_MS - msOfDay;
    }
  }
  return total;
}
