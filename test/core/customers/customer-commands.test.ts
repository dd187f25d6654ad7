import { describe, expect, it } from 'vitest';
import { parseTags } from '../../../src/core/customers/customer-notes.ts';
import { customerChangeText, customerSearchView, profileText } from '../../../src/core/customers/profile-view.ts';
import { classifyFounderText } from '../../../src/core/founder/founder-text.ts';
import { escalationView } from '../../../src/core/founder/notice-view.ts';
import type { CustomerProfile, FounderNotice } from '../../../src/core/ports.ts';

// The words and the meaning of the customer commands, without a database.

const profile: CustomerProfile = {
  customerId: '11111111-2222-3333-4444-555555555555',
  displayName: 'Ada',
  identities: [
    { channel: 'telegram', externalUserId: '42', username: 'ada_t', displayName: 'Ada' },
    { channel: 'slack', externalUserId: 'U9', username: null, displayName: 'Ada L.' },
  ],
  conversationCount: 3,
  recentConversations: [{ id: 'c1', channel: 'slack', status: 'resolved', lastMessageAt: '2026-11-30T10:00:00.000Z', firstQuestion: 'Where is\nmy invoice?' }],
  ratings: { count: 3, mean: 3.7, last: { score: 5, kind: 'csat' } },
  tags: ['vip', 'billing'],
  notes: '2026-11-29 slack:U1: prefers email\n2026-11-30 telegram:7: pays yearly',
  linked: [{ customerId: '99999999-2222-3333-4444-555555555555', displayName: 'Ada L.' }],
};

describe('the customer commands in a thread', () => {
  it('reads !link, !unlink, !tag and !note as commands, with or without a colon', () => {
    expect(classifyFounderText('!link Ada L.')).toMatchObject({ kind: 'command', command: 'link', argument: 'Ada L.' });
    expect(classifyFounderText('!unlink')).toMatchObject({ kind: 'command', command: 'unlink', argument: '' });
    expect(classifyFounderText('!TAG vip billing')).toMatchObject({ kind: 'command', command: 'tag', argument: 'vip billing' });
    expect(classifyFounderText('!note prefers email')).toMatchObject({ kind: 'command', command: 'note', argument: 'prefers email' });
    // Typed with a colon it is still the command: never a reply that would reach the customer.
    expect(classifyFounderText('!note: prefers email')).toMatchObject({ kind: 'command', command: 'note', argument: 'prefers email' });
  });

  it('keeps "note ..." without the ! a private conversation note, as before', () => {
    for (const text of ['note: prefers email', 'Note - prefers email', '*note*: prefers email', 'note']) {
      expect(classifyFounderText(text).kind).toBe('note');
    }
  });

  it('lower-cases tags, drops # and duplicates, splits on spaces and commas', () => {
    expect(parseTags('VIP, #Billing  vip，beta')).toEqual(['vip', 'billing', 'beta']);
    expect(parseTags('  ')).toEqual([]);
  });
});

describe('the profile view', () => {
  it('shows identities, conversations, ratings, tags, notes and links', () => {
    expect(profileText(profile)).toBe([
      'Ada (11111111-2222-3333-4444-555555555555)',
      'Identities:\n  Telegram @ada_t Ada (42)\n  Slack Ada L. (U9)',
      'Conversations (3 conversations):\n  2026-11-30 Slack resolved: “Where is my invoice?”',
      'Ratings:\n  3 ratings, mean 3.7/5, last 5/5 (CSAT)',
      'Tags:\n  vip, billing',
      'Notes:\n  2026-11-29 slack:U1: prefers email\n  2026-11-30 telegram:7: pays yearly',
      'Linked:\n  Ada L. (99999999-2222-3333-4444-555555555555)',
    ].join('\n'));
  });

  it('answers /customer with usage, none, one or a list', () => {
    expect(customerSearchView('  ', [])).toMatchObject({ kind: 'usage' });
    expect(customerSearchView('zed', [])).toEqual({ kind: 'none', text: 'No customer matches “zed”.' });
    expect(customerSearchView('ada', [profile])).toEqual({ kind: 'one', profile });
    const several = customerSearchView('ada', [profile, { ...profile, customerId: 'x', displayName: 'Adam', identities: [] }]);
    expect(several).toEqual({
      kind: 'several',
      heading: '2 customers match; show one with /customer <id>:',
      lines: ['Ada (11111111-2222-3333-4444-555555555555) · Telegram @ada_t Ada (42), Slack Ada L. (U9)', 'Adam (x) · no identity'],
    });
  });

  it('says what each command did in one sentence', () => {
    expect(customerChangeText({ change: 'tagged', profile })).toBe('Tags of Ada: vip, billing.');
    expect(customerChangeText({ change: 'unlinked', profile, other: { customerId: 'x', displayName: 'Ada L.' } }))
      .toBe('Unlinked Ada L. from Ada: their identities and conversations are theirs again.');
  });

  it('the escalation shows the other identities, the tags and the notes', () => {
    const notice: Extract<FounderNotice, { type: 'escalation' }> = {
      type: 'escalation', conversationId: 'c2', reason: 'kb_unsure', question: 'hi', attachments: [], history: [], candidates: [],
      customer: {
        customerId: profile.customerId, displayName: 'Ada', channel: 'telegram', externalUserId: '42', username: 'ada_t',
        earlierConversations: 2, lastRating: 5, identities: profile.identities, tags: ['vip'], notes: profile.notes,
      },
    };
    const { customer } = escalationView(notice);
    expect(customer.otherIdentities).toEqual(['Slack Ada L. (U9)']);
    expect(customer.tags).toEqual(['vip']);
    expect(customer.notes).toEqual(['2026-11-29 slack:U1: prefers email', '2026-11-30 telegram:7: pays yearly']);
    // A notice stored before profiles existed still renders.
    const old = escalationView({ ...notice, customer: { ...notice.customer, identities: undefined, tags: undefined, notes: undefined } } as never);
    expect(old.customer).toMatchObject({ otherIdentities: [], tags: [], notes: [] });
  });
});
