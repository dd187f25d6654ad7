// The founder's command help, written once. Every console renders it with its own markup (Telegram
// `<code>`, Slack backticks, plain text in the terminal), so the commands a founder reads about are
// the ones every console understands.

export interface HelpMarkup {
  /** A command or a literal the founder types. */
  code(text: string): string;
  /** Any other text, escaped for the platform. */
  text(text: string): string;
}

export const PLAIN_MARKUP: HelpMarkup = { code: (t) => t, text: (t) => t };

/** What a founder types in a conversation about its customer (never sent to the customer). */
export const CUSTOMER_COMMANDS: ReadonlyArray<{ syntax: string; meaning: string }> = [
  { syntax: '!link <customer>', meaning: 'link another customer (name, username or id) into this one: one history, replies still go where each conversation came from' },
  { syntax: '!unlink', meaning: 'undo the last link' },
  { syntax: '!tag a b', meaning: 'tag the customer' },
  { syntax: '!note text', meaning: 'keep a private, dated note on the customer' },
];

/** What a founder types in a conversation (a Slack thread, a reply on Telegram). */
export const THREAD_COMMANDS: ReadonlyArray<{ syntax: string; meaning: string }> = [
  { syntax: '!resolve', meaning: 'resolve the conversation' },
  { syntax: '!reopen', meaning: 'reopen it' },
  { syntax: '!send', meaning: "send the LLM's draft as your reply" },
  { syntax: '!save [title]', meaning: 'save the question and your last reply as a draft article' },
  { syntax: '!save! title', meaning: 'the same, published' },
  ...CUSTOMER_COMMANDS,
];

/** `!link <customer>` · `!unlink` · `!tag a b` · `!note text` (about the customer) */
export function customerCommandsLine(m: HelpMarkup, spell: (command: string) => string = (c) => c): string {
  return `${CUSTOMER_COMMANDS.map((c) => m.code(spell(c.syntax))).join(' · ')} ${m.text('(about the customer)')}`;
}

/** Shown to founders; classifyFounderText accepts more spellings (`//`, `(note)`, `[note]` …). */
export const NOTE_PREFIXES: readonly string[] = ['note:', ';;'];

/** The `/kb` commands every console has (Slack adds its own curation commands). */
export const KB_COMMANDS: ReadonlyArray<{ syntax: string; meaning: string }> = [
  { syntax: '/kb search <text>', meaning: 'what the bot would answer: ranked articles, confidence and the decision' },
  { syntax: '/kb show <slug>', meaning: 'one article' },
  { syntax: '/kb list [tag]', meaning: 'all articles, or those with a tag' },
  { syntax: '/kb gaps', meaning: 'questions no article answered (last 30 days), grouped by meaning, biggest first' },
  { syntax: '/customer <name|id>', meaning: "a customer's identities, conversations, ratings, tags and notes" },
];

/** `!resolve` · `!reopen` · `!save [title]` (draft) · `!save! title` (published) */
export function threadCommandsLine(m: HelpMarkup): string {
  return `${m.code('!resolve')} · ${m.code('!reopen')} · ${m.code('!save [title]')} ${m.text('(draft article)')} · ${m.code('!save! title')} ${m.text('(published)')}`;
}

/** Under a draft: how to send it as it is, or change it. */
export function draftHint(m: HelpMarkup, place: 'thread' | 'message' | 'terminal'): string {
  const send = place === 'terminal' ? m.code('/send') : m.code('!send');
  const edit = place === 'terminal' ? `${m.code('/reply')} ${m.text('your own text')}` : m.text('reply with your own text');
  return `${send} ${m.text('sends this draft as your reply; or')} ${edit}${m.text('.')}`;
}

export function noteLine(m: HelpMarkup): string {
  const prefixes = NOTE_PREFIXES.map((p) => m.code(p)).join(m.text(' or '));
  return `${m.text('Start a message with')} ${prefixes} ${m.text('to keep it a private note: it is kept, never sent to the customer.')}`;
}

/** How to answer a customer from a notice: `thread` (Slack) or `message` (reply to it, Telegram). */
export function howToAnswer(m: HelpMarkup, place: 'thread' | 'message'): string {
  const reply = place === 'thread' ? 'Reply in this thread to answer the customer.' : 'Reply to this message to answer the customer.';
  return `${m.text(reply)} ${noteLine(m)} ${threadCommandsLine(m)} · ${customerCommandsLine(m)}`;
}

export function unknownCommandText(m: HelpMarkup, command: string): string {
  return `${m.text('Unknown command')} ${m.code(`!${command}`)}${m.text(': nothing was sent.')} ${threadCommandsLine(m)}`;
}

/** The heading and one line per `/kb` command. */
export function kbHelpLines(m: HelpMarkup): string[] {
  return [m.text('Founder commands'), ...KB_COMMANDS.map((c) => `${m.code(c.syntax)} ${m.text(`— ${c.meaning}`)}`)];
}

/** To a founder who wrote outside any conversation, in a console that answers conversations. */
export function notInConversationHint(m: HelpMarkup, tagExample: string): string {
  return `${m.text('To answer a customer, reply to their escalation (a message tagged')} ${m.code(tagExample)}${m.text('). /help lists the commands.')}`;
}

/** To a founder who wrote where conversations are not answered (they are handled in `where`). */
export function conversationsElsewhereHint(m: HelpMarkup, where: string): string {
  return m.text(`Founder commands: ${KB_COMMANDS.map((c) => c.syntax.split(' ').slice(0, 2).join(' ')).join(', ')}. Conversations are handled in ${where}.`);
}

/** The terminal spells the thread commands as slash commands; `/save` there publishes at once. */
export function terminalFounderHint(): string {
  const customer = customerCommandsLine(PLAIN_MARKUP, (c) => c.replace(/^!/, '/')).replace(/ · /g, ', ');
  return `As the founder: /reply <text> (${NOTE_PREFIXES.join(' or ')} first keeps it a private note), /send (the draft), /resolve, /save [title]; ${customer}; /customer <name|id>. A conversation from another channel (#1, #2 …) is answered with /reply #1 <text>, and so on.`;
}

/** Where escalations arrive in a chat console (Telegram), and how to answer them. */
export function escalationsHereHelp(m: HelpMarkup, tagExample: string): string {
  return `${m.text('Escalations arrive here tagged')} ${m.code(tagExample)}${m.text('.')} ${howToAnswer(m, 'message')}`;
}
