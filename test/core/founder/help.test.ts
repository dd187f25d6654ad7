import { describe, expect, it } from 'vitest';
import { classifyFounderText } from '../../../src/core/founder/founder-text.ts';
import {
  howToAnswer, kbHelpLines, NOTE_PREFIXES, PLAIN_MARKUP, THREAD_COMMANDS, threadCommandsLine, unknownCommandText, type HelpMarkup,
} from '../../../src/core/founder/help.ts';

const BACKTICKS: HelpMarkup = { code: (t) => `\`${t}\``, text: (t) => t.replace(/</g, '&lt;') };

describe('founder help', () => {
  it('teaches only what the classifier understands', () => {
    for (const prefix of NOTE_PREFIXES) expect(classifyFounderText(`${prefix} internal`).kind).toBe('note');
    for (const { syntax } of THREAD_COMMANDS) {
      expect(classifyFounderText(syntax.replace('[title]', 'Title').replace(' title', ' Title')).kind).toBe('command');
    }
  });

  it('marks every command up as code and escapes the rest', () => {
    const line = threadCommandsLine(BACKTICKS);
    expect(line).toBe('`!resolve` · `!reopen` · `!save [title]` (draft article) · `!save! title` (published)');
    expect(kbHelpLines(BACKTICKS)).toContain('`/kb search <text>` — what the bot would answer: ranked articles, confidence and the decision');
    expect(howToAnswer(PLAIN_MARKUP, 'thread')).toMatch(/^Reply in this thread to answer the customer\. Start a message with note: or ;; to keep it a private note/);
    expect(howToAnswer(BACKTICKS, 'message')).toContain('`note:` or `;;`');
  });

  it('an unknown command names it and lists the real ones', () => {
    expect(unknownCommandText(BACKTICKS, 'frobnicate')).toBe(`Unknown command \`!frobnicate\`: nothing was sent. ${threadCommandsLine(BACKTICKS)}`);
  });
});
