import type { Prisma, PrismaClient } from '@prisma/client';
import type { KnowledgeBase } from '../kb/knowledge-base.ts';
import type { Clock } from '../observability/clock.ts';
import type { Logger } from '../observability/logger.ts';
import { readState } from './conversation-state.ts';
import { lockChat, type CoreSettings } from './inbound-pipeline.ts';

// Learning from the customer's pick: a picked article that was not rejected within the window
// (no 👎, no escalation — both clear the lesson) makes the customer's question an example
// question of that article. One customer can teach only a few questions a day, so nobody can
// poison the KB; every lesson is a revision the founder sees in /kb history and can undo.

export const LESSON_ACTION = 'article.learned_question';

export async function teachFromPicks(deps: {
  prisma: PrismaClient;
  kb: KnowledgeBase;
  settings: CoreSettings;
  logger: Logger;
  clock: Clock;
}): Promise<number> {
  const now = new Date(deps.clock.now());
  const due = new Date(now.getTime() - deps.settings.learnAfterMs).toISOString();
  const conversations = await deps.prisma.$queryRaw<Array<{ id: string }>>`
    SELECT id FROM "Conversation"
     WHERE state -> 'lesson' IS NOT NULL AND jsonb_typeof(state -> 'lesson') = 'object'
       AND (state -> 'lesson' ->> 'at') <= ${due}
     LIMIT 100`;
  let taught = 0;
  for (const { id } of conversations) {
    const lesson = await deps.prisma.$transaction(async (tx) => {
      const conversation = await tx.conversation.findUniqueOrThrow({ where: { id } });
      await lockChat(tx, conversation.channel, conversation.externalChatId);
      const state = readState(conversation.state);
      if (!state.lesson) return null;
      await tx.conversation.update({
        where: { id },
        data: { state: { ...state, lesson: null } as Prisma.InputJsonValue },
      });
      return state.lesson;
    });
    if (!lesson) continue;
    const actor = `customer:${lesson.customerId}`;
    const todays = await deps.prisma.auditLog.count({
      where: { actor, action: LESSON_ACTION, createdAt: { gte: new Date(now.getTime() - 24 * 3_600_000) } },
    });
    if (todays >= deps.settings.lessonsPerCustomerPerDay) {
      deps.logger.info({ customerId: lesson.customerId }, 'teaching limit reached; the pick is not learned');
      continue;
    }
    const article = await deps.kb.getById(lesson.articleId);
    if (!article || article.status !== 'published') continue;
    const before = article.questions.length;
    const updated = await deps.kb.addExampleQuestion(article.id, lesson.question, actor);
    if (updated.questions.length > before) taught++;
  }
  return taught;
}
