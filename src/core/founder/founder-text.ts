// What a founder's message in a conversation thread means. Getting `note` right matters more
// than anything else here: a private note sent to a customer is the worst bug a support tool
// can have, so anything that looks like a note prefix is a note.

export type FounderText =
  | { kind: 'note'; text: string }
  | { kind: 'command'; command: ThreadCommand; publish: boolean; argument: string }
  | { kind: 'unknown_command'; command: string }
  | { kind: 'reply'; text: string }
  | { kind: 'empty' };

/**
 * `!link`, `!unlink`, `!tag` and `!note` act on the customer, not the conversation. `!note` is a
 * note about the customer, private like every note: the `!` keeps it from the NOTE_PREFIX test,
 * and it never reaches the reply path either.
 */
const THREAD_COMMANDS = ['resolve', 'reopen', 'save', 'send', 'link', 'unlink', 'tag', 'note'] as const;
export type ThreadCommand = (typeof THREAD_COMMANDS)[number];

// "note:", "Note :", "NOTE-", "(note)", "[note]", ";;", "//" — with any spacing or case, also after
// leading invisible characters or Slack formatting marks (*note*: or _note:_).
const NOTE_PREFIX = /^[\s\u200b-\u200f\ufeff*_~`>]*(?:;;|\/\/|[([]?\s*(?:internal\s+)?note\s*[)\]]?\s*[*_~`]*\s*[:：\-–—)\]]|note\s*$)/i;
// A colon after the name is taken too: `!note: prefers email` is the note command, never a reply.
const COMMAND = /^\s*!\s*([a-z]+)(!?)(?:[\s:：]+([\s\S]*))?$/i;

export function classifyFounderText(raw: string): FounderText {
  const text = raw.trim();
  if (text === '') return { kind: 'empty' };
  if (NOTE_PREFIX.test(text)) return { kind: 'note', text };
  const command = COMMAND.exec(text);
  if (command) {
    const name = command[1]!.toLowerCase();
    const argument = (command[3] ?? '').trim();
    const known = THREAD_COMMANDS.find((c) => c === name);
    if (known !== undefined) {
      return { kind: 'command', command: known, publish: command[2] === '!', argument };
    }
    return { kind: 'unknown_command', command: name };
  }
  return { kind: 'reply', text };
}
