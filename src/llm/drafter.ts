import { SolodeskError } from '../errors.ts';
import type { Clock } from '../observability/clock.ts';
import type { Logger } from '../observability/logger.ts';
import type { TokenBudget } from './budget.ts';
import type { Completion, CompletionRequest, LlmClient, ResponseFormat } from './client.ts';
import { LlmTimeoutError, PlatformApiError } from './errors.ts';
import type { FounderTopic } from './founder-topics.ts';
import { assessDraft } from './grounding.ts';
import type { LlmMetrics } from './metrics.ts';
import { parseDraftOutput } from './parse-output.ts';
import { buildUserMessage, DRAFT_RESPONSE_FORMAT, JSON_OBJECT_FORMAT, SYSTEM_RULES, type DraftRequest } from './prompt.ts';

// The grounded drafter: KB articles and a question in, a draft and whether it may be sent alone
// out. An LLM failure is an outcome, never an exception: the caller then asks the founder, as
// it would without an LLM.

export type { DraftArticle, DraftRequest } from './prompt.ts';

export type DraftOutcome =
  | {
      kind: 'draft';
      answer: string;
      /** Only ids of articles that were provided. */
      citedArticleIds: string[];
      /** The model's own word that the articles cover the question. */
      supported: boolean;
      autoSendable: boolean;
      /** Why the founder must look first (set when autoSendable is false). */
      whyNotAuto?: string;
      /** Tokens the server counted for this draft (estimated when it does not say). */
      tokens: number;
    }
  | { kind: 'unavailable'; reason: 'budget' | 'timeout' | 'error' | 'invalid_output'; tokens?: number };

export interface Drafter {
  draft(request: DraftRequest): Promise<DraftOutcome>;
}

export interface DrafterOptions {
  client: LlmClient;
  model: string;
  budget: TokenBudget;
  clock: Clock;
  logger: Logger;
  metrics?: LlmMetrics;
  /** Topics that always reach the founder; DEFAULT_FOUNDER_TOPICS when unset. */
  founderTopics?: readonly FounderTopic[];
}

/** Long enough for a support answer in JSON; a cap so one runaway reply cannot eat the budget. */
const MAX_COMPLETION_TOKENS = 800;

export function createDrafter(options: DrafterOptions): Drafter {
  const { client, model, budget, clock, logger, metrics } = options;

  const count = (outcome: string): void => metrics?.drafts.inc({ outcome });
  const unavailable = (reason: 'budget' | 'timeout' | 'error' | 'invalid_output', tokens?: number): DraftOutcome => {
    count(reason);
    return { kind: 'unavailable', reason, ...(tokens !== undefined ? { tokens } : {}) };
  };

  /** One request; spends what the server counted, or an estimate when it counts nothing. */
  async function complete(request: CompletionRequest): Promise<Completion & { tokens: number }> {
    const completion = await client.complete(request);
    const tokens = completion.totalTokens ?? estimateTokens(request, completion.text);
    budget.record(tokens);
    metrics?.tokens.inc(tokens);
    return { ...completion, tokens };
  }

  /** json_schema first; a server that refuses it (400) gets one more try in JSON mode. */
  async function completeAsJson(messages: CompletionRequest['messages']): Promise<Completion & { tokens: number }> {
    const base = { model, messages, maxCompletionTokens: MAX_COMPLETION_TOKENS, temperature: 0 };
    const attempt = (responseFormat: ResponseFormat) => complete({ ...base, responseFormat });
    try {
      return await attempt(DRAFT_RESPONSE_FORMAT);
    } catch (error) {
      if (!(error instanceof PlatformApiError && error.status === 400)) throw error;
      logger.info({ event: 'llm_json_schema_refused', err: error.message }, 'LLM server refused json_schema output; retrying in JSON mode');
      return attempt(JSON_OBJECT_FORMAT);
    }
  }

  return {
    async draft(request) {
      if (!budget.allows()) {
        logger.warn({ event: 'llm_budget_spent', remaining: budget.remaining() }, 'LLM daily token budget spent; the founder answers');
        return unavailable('budget');
      }
      const started = clock.now();
      const messages: CompletionRequest['messages'] = [
        { role: 'system', content: SYSTEM_RULES },
        { role: 'user', content: buildUserMessage(request) },
      ];
      let completion: Completion & { tokens: number };
      try {
        completion = await completeAsJson(messages);
      } catch (error) {
        const reason = error instanceof LlmTimeoutError ? 'timeout' : 'error';
        // Messages of Solodesk errors hold no secrets (llm/errors.ts); anything else is a bug
        // here, logged by name only.
        const detail = error instanceof SolodeskError ? { code: error.code, err: error.message } : { err: error instanceof Error ? error.name : typeof error };
        logger.warn({ event: 'llm_draft_failed', reason, ...detail, ms: clock.now() - started }, 'LLM draft failed; the founder answers');
        return unavailable(reason);
      }
      const output = parseDraftOutput(completion.text);
      if (output === undefined) {
        // The reply itself is not logged: it may quote the customer.
        logger.warn({ event: 'llm_invalid_output', chars: completion.text.length, finishReason: completion.finishReason }, 'LLM reply was not a draft');
        return unavailable('invalid_output', completion.tokens);
      }
      const assessment = assessDraft(
        { ...request, answer: output.answer, citedArticleIds: output.cited_article_ids, supported: output.supported },
        { rules: SYSTEM_RULES, ...(options.founderTopics ? { founderTopics: options.founderTopics } : {}) },
      );
      count(assessment.autoSendable ? 'auto' : 'founder');
      logger.info(
        { event: 'llm_draft', autoSendable: assessment.autoSendable, whyNotAuto: assessment.whyNotAuto, cited: assessment.citedArticleIds, tokens: completion.tokens, ms: clock.now() - started },
        'LLM drafted a reply',
      );
      return {
        kind: 'draft',
        answer: output.answer,
        citedArticleIds: assessment.citedArticleIds,
        supported: output.supported,
        autoSendable: assessment.autoSendable,
        ...(assessment.whyNotAuto !== undefined ? { whyNotAuto: assessment.whyNotAuto } : {}),
        tokens: completion.tokens,
      };
    },
  };
}

/** About four characters a token, as for English text; used only when the server gives no usage. */
function estimateTokens(request: CompletionRequest, reply: string): number {
  const chars = request.messages.reduce((sum, m) => sum + m.content.length, 0) + reply.length;
  return Math.ceil(chars / 4);
}
