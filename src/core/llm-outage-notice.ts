import type { PipelineDeps } from './inbound-pipeline.ts';
import { enqueueFounderNotice } from './outbox.ts';
import type { DraftResult } from './ports.ts';

// When the LLM fails or its day's budget is spent, conversations go on as if it were off, and the
// founder hears of it once a UTC day (the budget's day), not once per message: the AuditLog row
// written with the notice is the memory, shared by every process, and an advisory lock makes two
// processes failing at once write one.

const DAY_MS = 86_400_000;
const ACTION = 'llm.unavailable_notice';

const WHY: Record<Extract<DraftResult, { kind: 'unavailable' }>['reason'], string> = {
  budget: "today's LLM token budget (LLM_DAILY_TOKENS) is spent",
  timeout: 'the LLM server did not answer in time (LLM_TIMEOUT_MS)',
  error: 'the LLM server answered with an error',
  invalid_output: 'the LLM did not answer in the expected format',
};

/** Tells the founder console, unless it was told today already. Never throws: it is only a notice. */
export async function tellFounderLlmUnavailable(deps: PipelineDeps, reason: keyof typeof WHY): Promise<void> {
  const now = deps.clock.now();
  const dayStart = new Date(now - (now % DAY_MS));
  try {
    await deps.prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext(${ACTION}))) AS l`;
      const told = await tx.auditLog.count({ where: { action: ACTION, createdAt: { gte: dayStart } } });
      if (told > 0) return;
      await enqueueFounderNotice(tx, {
        type: 'channel_event',
        event: {
          channel: 'llm',
          event: 'llm_unavailable',
          detail: `${WHY[reason]}. Until it is back, questions the KB cannot answer come to you without a draft. You are told once a day.`,
        },
      });
      await tx.auditLog.create({ data: { actor: 'llm', action: ACTION, entity: 'llm', details: { reason }, createdAt: new Date(now) } });
    });
  } catch (error) {
    deps.logger.warn({ err: error, reason }, 'could not tell the founder that the LLM is unavailable');
  }
}
