import { channelName, identityLine, truncate } from '../founder/notice-view.ts';
import type { CustomerChange, CustomerIdentitySummary, CustomerProfile } from '../ports.ts';

// What the founder reads about a customer, once, for every console: `/customer`, the answer to
// `!link`/`!unlink`/`!tag`/`!note`. Plain text; adapters escape it and add their marks only.

export const PROFILE_WORDS = {
  usage: 'Usage: /customer <name, username or id>',
  noMatch: 'No customer matches',
  severalMatch: 'customers match; show one with /customer <id>:',
  identities: 'Identities',
  conversations: 'Conversations',
  ratings: 'Ratings',
  tags: 'Tags',
  notes: 'Notes',
  linked: 'Linked',
  noNotes: 'no notes yet',
} as const;

const QUESTION_SHOWN = 80;

export interface ProfileView {
  customerId: string;
  /** Display name, else a username, else a platform id. */
  name: string;
  /** `Telegram @ann (123)`, one per identity. */
  identities: string[];
  /** `3 conversations` */
  conversations: string;
  /** `2026-12-01 Telegram resolved: “How do I …”`, newest first. */
  recent: string[];
  /** `3 ratings, mean 3.7/5, last 5/5 (CSAT)` or `no rating yet`. */
  ratings: string;
  tags: string[];
  /** One line per note (each dated and attributed). */
  notes: string[];
  /** `Ann (id)` of each customer linked into this one. */
  linked: string[];
}

export function customerName(p: { displayName: string | null; identities: CustomerIdentitySummary[]; customerId: string }): string {
  const first = p.identities[0];
  return p.displayName ?? first?.username ?? first?.externalUserId ?? p.customerId;
}

export function ratingsText(r: CustomerProfile['ratings']): string {
  if (r.count === 0 || r.mean === null) return 'no rating yet';
  const last = r.last === null ? '' : `, last ${r.last.score}/5 (${r.last.kind === 'csat' ? 'CSAT' : 'answer'})`;
  return `${r.count} rating${r.count === 1 ? '' : 's'}, mean ${r.mean}/5${last}`;
}

export function profileView(p: CustomerProfile): ProfileView {
  return {
    customerId: p.customerId,
    name: customerName(p),
    identities: p.identities.map(identityLine),
    conversations: `${p.conversationCount} conversation${p.conversationCount === 1 ? '' : 's'}`,
    recent: p.recentConversations.map((c) => {
      const question = c.firstQuestion === null ? '' : `: “${truncate(c.firstQuestion.replace(/\s+/g, ' ').trim(), QUESTION_SHOWN)}”`;
      return `${c.lastMessageAt.slice(0, 10)} ${channelName(c.channel)} ${c.status}${question}`;
    }),
    ratings: ratingsText(p.ratings),
    tags: p.tags,
    notes: p.notes === null ? [] : p.notes.split('\n').filter((l) => l.trim() !== ''),
    linked: p.linked.map((c) => `${c.displayName ?? 'unnamed'} (${c.customerId})`),
  };
}

/**
 * The profile as titled sections of plain lines; `title` is the name and id. Consoles bold the
 * title and the section names, and may indent the items.
 */
export function profileSections(p: CustomerProfile): { title: string; sections: Array<{ heading: string; items: string[] }> } {
  const v = profileView(p);
  const sections = [
    { heading: PROFILE_WORDS.identities, items: v.identities },
    { heading: `${PROFILE_WORDS.conversations} (${v.conversations})`, items: v.recent },
    { heading: PROFILE_WORDS.ratings, items: [v.ratings] },
    { heading: PROFILE_WORDS.tags, items: v.tags.length === 0 ? ['none'] : [v.tags.join(', ')] },
    { heading: PROFILE_WORDS.notes, items: v.notes.length === 0 ? [PROFILE_WORDS.noNotes] : v.notes },
  ];
  if (v.linked.length > 0) sections.push({ heading: PROFILE_WORDS.linked, items: v.linked });
  return { title: `${v.name} (${v.customerId})`, sections };
}

/** The profile as plain text (the terminal; a fallback text elsewhere). */
export function profileText(p: CustomerProfile): string {
  const { title, sections } = profileSections(p);
  return [title, ...sections.map((s) => `${s.heading}:\n${s.items.map((i) => `  ${i}`).join('\n')}`)].join('\n');
}

export type CustomerSearchView =
  | { kind: 'usage'; text: string }
  | { kind: 'none'; text: string }
  | { kind: 'one'; profile: CustomerProfile }
  /** One line per customer: name, id, identities. */
  | { kind: 'several'; heading: string; lines: string[] };

/** What `/customer <query>` answers, from the profiles that matched. */
export function customerSearchView(query: string, profiles: CustomerProfile[]): CustomerSearchView {
  if (query.trim() === '') return { kind: 'usage', text: PROFILE_WORDS.usage };
  if (profiles.length === 0) return { kind: 'none', text: `${PROFILE_WORDS.noMatch} “${query.trim()}”.` };
  if (profiles.length === 1) return { kind: 'one', profile: profiles[0]! };
  return {
    kind: 'several',
    heading: `${profiles.length} ${PROFILE_WORDS.severalMatch}`,
    lines: profiles.map((p) => `${customerName(p)} (${p.customerId}) · ${p.identities.map(identityLine).join(', ') || 'no identity'}`),
  };
}

/** The one sentence that answers `!link`, `!unlink`, `!tag` or `!note`. */
export function customerChangeText(c: CustomerChange): string {
  const name = customerName(c.profile);
  const other = c.other?.displayName ?? c.other?.customerId ?? 'the other customer';
  switch (c.change) {
    case 'linked':
      return `Linked ${other} into ${name}: ${c.profile.identities.length} identities (${c.profile.identities.map(identityLine).join(', ')}), ${c.profile.conversationCount} conversations; replies still go to the channel each conversation came from. !unlink undoes it.`;
    case 'unlinked':
      return `Unlinked ${other} from ${name}: their identities and conversations are theirs again.`;
    case 'tagged':
      return `Tags of ${name}: ${c.profile.tags.join(', ')}.`;
    case 'noted':
      return `Note kept on ${name} (private, never sent to the customer).`;
  }
}
