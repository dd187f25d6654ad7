import type { App, BlockAction, ButtonAction, MessageShortcut } from '@slack/bolt';
import { gapsHeadline, KB_WORDS, runKbCommand } from '../../core/founder/kb-commands.ts';
import type { FounderActions } from '../../core/ports.ts';
import { SolodeskError } from '../../errors.ts';
import type { KnowledgeBase } from '../../kb/knowledge-base.ts';
import type { Logger } from '../../observability/logger.ts';
import { BLOCK, METADATA_EVENT, truncate } from './blocks.ts';
import {
  gapArticlePrefill, gapsBlocks, historyText, KB_GAP_ACTION, KB_HELP, KB_MODAL_CALLBACK, KB_SHORTCUT_CALLBACK, kbArticleModal, listText,
  MODAL_BODY_MAX, notFoundText, parseGapButtonValue, parseModalMetadata, readKbModal, searchText, showText, type KbModalMetadata,
} from './kb-views.ts';
import { parseKbCommand, slackTextToPlain } from './parse.ts';
import type { SlackClient } from './send.ts';

// KB curation from Slack: `/kb …`, the article modal, and the "Save as KB article" message
// shortcut. Founders only. The KnowledgeBase writes revisions and audit rows itself; the actor is
// `slack:<user id>`.

export interface KbCommandDeps {
  kb: KnowledgeBase;
  /** `/kb gaps` and its "Write article" buttons. */
  founder: Pick<FounderActions, 'kbGaps' | 'gapQuestions'>;
  client: SlackClient;
  founderUsers: readonly string[];
  logger: Logger;
  background(task: () => Promise<unknown>): void;
}

export const REFUSAL = 'Sorry, the knowledge base commands are only for the founders of this desk. If you need help, just write to us here.';

const actorOf = (user: string): string => `slack:${user}`;

export function registerKbCommands(app: App, deps: KbCommandDeps): void {
  const { kb, founder, client, founderUsers, background } = deps;
  const isFounder = (user: string) => founderUsers.includes(user);

  app.command('/kb', async ({ command, ack }) => {
    const reply = (text: string) => ack({ response_type: 'ephemeral', text });
    if (!isFounder(command.user_id)) return reply(REFUSAL);
    const { sub, rest } = parseKbCommand(command.text);
    const actor = actorOf(command.user_id);
    try {
      const shared = await runKbCommand(kb, sub, rest, founder);
      switch (shared.kind) {
        case 'usage':
          return reply(`${KB_WORDS.usage} \`${shared.usage}\``);
        case 'search':
          return reply(searchText(shared));
        case 'show':
          return reply(showText(shared.article));
        case 'not_found':
          return reply(notFoundText(shared.slug));
        case 'list':
          return reply(listText(shared));
        case 'gaps':
          return ack({
            response_type: 'ephemeral',
            text: shared.groups.length > 0 ? gapsHeadline(shared.days, shared.groups) : KB_WORDS.noGaps,
            blocks: gapsBlocks(shared),
          });
        case 'help':
          break;
      }
      switch (sub) {
        case 'history':
          if (rest === '') return reply('Usage: `/kb history <slug>`');
          return reply(historyText(rest, await kb.history(rest)));
        case 'archive': {
          if (rest === '') return reply('Usage: `/kb archive <slug>`');
          const archived = await kb.archive(rest, actor);
          return reply(`Archived \`${archived.slug}\` (v${archived.version}): the bot no longer answers with it.`);
        }
        case 'add':
        case 'new': {
          const meta: KbModalMetadata = { mode: 'add', channel: command.channel_id };
          await client.views.open({ trigger_id: command.trigger_id, view: kbArticleModal(meta, rest !== '' ? { title: rest } : {}) });
          return ack();
        }
        case 'edit': {
          const article = rest === '' ? null : await kb.getBySlug(rest);
          if (article === null) return reply(notFoundText(rest));
          if (article.body.length > MODAL_BODY_MAX) {
            return reply(`\`${article.slug}\` is longer than a Slack form can hold (${MODAL_BODY_MAX} characters): edit it with \`solodesk kb export\` / \`kb import\`.`);
          }
          const meta: KbModalMetadata = { mode: 'edit', slug: article.slug, channel: command.channel_id };
          await client.views.open({ trigger_id: command.trigger_id, view: kbArticleModal(meta, article) });
          return ack();
        }
        default:
          return reply(KB_HELP);
      }
    } catch (error) {
      if (error instanceof SolodeskError) return reply(`That did not work: ${error.message}`);
      throw error;
    }
  });

  app.view(KB_MODAL_CALLBACK, async ({ ack, body, view }) => {
    const user = body.user.id;
    if (!isFounder(user)) return ack({ response_action: 'errors', errors: { title: REFUSAL } });
    const form = readKbModal(view.state.values);
    if (!form.ok) return ack({ response_action: 'errors', errors: form.errors });
    const meta = parseModalMetadata(view.private_metadata);
    const actor = actorOf(user);
    let saved;
    try {
      const { title, body: text, questions, tags, status } = form.value;
      saved = meta.mode === 'edit' && meta.slug !== undefined
        ? await kb.update(meta.slug, { title, body: text, questions, tags, status }, actor, 'edited in Slack')
        : await kb.create({ title, body: text, questions, tags, status }, actor);
    } catch (error) {
      if (error instanceof SolodeskError) return ack({ response_action: 'errors', errors: { title: truncate(error.message, 150) } });
      throw error;
    }
    await ack();
    if (meta.channel !== undefined) {
      const channel = meta.channel;
      const text = `Saved \`${saved.slug}\` (${saved.status}, v${saved.version}).${saved.status === 'published' ? ' The bot answers with it from now on.' : ''}`;
      background(() => client.chat.postEphemeral({ channel, user, text, ...(meta.threadTs ? { thread_ts: meta.threadTs } : {}) }));
    }
  });

  // "Write article" on a gap group: the article form with the group's questions, re-read now.
  app.action<BlockAction<ButtonAction>>(KB_GAP_ACTION, async ({ ack, body, action }) => {
    await ack();
    const user = body.user.id;
    const channel = body.channel?.id;
    if (!isFounder(user)) {
      if (channel !== undefined) background(() => client.chat.postEphemeral({ channel, user, text: REFUSAL }));
      return;
    }
    const questions = await founder.gapQuestions(parseGapButtonValue(action.value));
    const meta: KbModalMetadata = { mode: 'add', ...(channel !== undefined ? { channel } : {}) };
    await client.views.open({ trigger_id: body.trigger_id, view: kbArticleModal(meta, gapArticlePrefill(questions), 'Write KB article') });
  });

  app.shortcut<MessageShortcut>(KB_SHORTCUT_CALLBACK, async ({ ack, shortcut }) => {
    await ack();
    const user = shortcut.user.id;
    const channel = shortcut.channel.id;
    const say = (text: string) => background(() => client.chat.postEphemeral({ channel, user, text }));
    if (!isFounder(user)) return say(REFUSAL);
    const threadTs = shortcut.message.thread_ts;
    const question = threadTs !== undefined ? await customerQuestion(client, channel, threadTs) : undefined;
    const isReply = shortcut.message.ts !== threadTs && shortcut.message.bot_id === undefined;
    const answer = isReply ? slackTextToPlain(shortcut.message.text ?? '') : '';
    const meta: KbModalMetadata = { mode: 'add', channel, ...(threadTs !== undefined ? { threadTs } : {}) };
    await client.views.open({
      trigger_id: shortcut.trigger_id,
      view: kbArticleModal(meta, {
        title: question !== undefined ? truncate(question.replace(/\s+/g, ' '), 120) : '',
        body: answer,
        questions: question !== undefined ? [question.replace(/\s+/g, ' ')] : [],
        status: 'draft',
      }, 'Save as KB article'),
    });
  });
}

/** The customer's question of a founder thread: from the root message's metadata, or its question block. */
export async function customerQuestion(client: SlackClient, channel: string, threadTs: string): Promise<string | undefined> {
  try {
    const result = await client.conversations.replies({ channel, ts: threadTs, limit: 1, include_all_metadata: true });
    const root = result.messages?.find((m) => m.ts === threadTs);
    const metadata = (root as { metadata?: { event_type?: string; event_payload?: Record<string, unknown> } } | undefined)?.metadata;
    const fromMetadata = metadata?.event_type === METADATA_EVENT ? metadata.event_payload?.question : undefined;
    if (typeof fromMetadata === 'string' && fromMetadata.trim() !== '') return fromMetadata;
    const block = (root?.blocks as Array<{ block_id?: string; text?: { text?: string } }> | undefined)?.find((b) => b.block_id === BLOCK.question);
    const quoted = block?.text?.text;
    return quoted === undefined ? undefined : slackTextToPlain(quoted.split('\n').map((l) => l.replace(/^&gt;\s?/, '')).join('\n'));
  } catch {
    return undefined;
  }
}
