import type { PrismaClient } from '@prisma/client';
import type { Clock } from '../../observability/clock.ts';
import { isOpen } from '../business-hours.ts';
import { readState } from '../conversation-state.ts';
import { lockChat } from '../inbound-pipeline.ts';
import { askForRating, type RatingSettings } from './ask-rating.ts';

// The periodic half of asking: conversations whose rating came due while nobody acted — a bot
// answer left alone for CSAT_AFTER_ANSWER_MS, or a resolve that waited for business hours. Run on
// the core's clock like teachFromPicks; each conversation is asked in its own transaction, under
// its chat's lock, so a customer message arriving meanwhile wins (it ends the wait).

export async function askDueRatings(deps: { prisma: PrismaClient; settings: RatingSettings; clock: Clock }): Promise<number> {
  const { prisma, settings } = deps;
  if (!settings.csatEnabled) return 0;
  const now = new Date(deps.clock.now());
  // Closed: nothing may be asked, so nothing is read.
  if (settings.businessHours && !isOpen(settings.businessHours, now)) return 0;
  const due = await prisma.$queryRaw<Array<{ id: string }>>`
    SELECT id FROM "Conversation"
     WHERE "csatAskedAt" IS NULL AND jsonb_typeof(state -> 'csat') = 'object'
       AND (state -> 'csat' ->> 'dueAt') <= ${now.toISOString()}
     ORDER BY (state -> 'csat' ->> 'dueAt')
     LIMIT 100`;
  let asked = 0;
  for (const { id } of due) {
    const outcome = await prisma.$transaction(
      async (tx) => {
        const chat = await tx.conversation.findUnique({ where: { id }, select: { channel: true, externalChatId: true } });
        if (!chat) return 'not_asked';
        await lockChat(tx, chat.channel, chat.externalChatId);
        // Read again under the lock: a message stored since the scan ended the wait.
        const current = await tx.conversation.findUniqueOrThrow({ where: { id }, select: { state: true } });
        const dueAt = readState(current.state).csat?.dueAt;
        if (dueAt === undefined || Date.parse(dueAt) > now.getTime()) return 'not_asked';
        return askForRating(tx, settings, { conversationId: id, now });
      },
      { timeout: 15_000, maxWait: 15_000 },
    );
    if (outcome === 'asked') asked++;
  }
  return asked;
}
