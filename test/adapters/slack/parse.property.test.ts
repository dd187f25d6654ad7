import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { routeMessageEvent, slackTextToPlain, toInboundMessage, type SlackRouting } from '../../../src/adapters/slack/parse.ts';
import { InboundMessageSchema } from '../../../src/core/messages.ts';
import { slackFile } from '../../fixtures/slack/events.ts';

// Properties of the Slack normalisers (issue 11): whatever a message event holds, routing never
// throws, and what it routes is something the core accepts as it is.

const routing: SlackRouting = { founderChannel: 'CFOUNDER', founderUsers: ['UFOUNDER'], botUserId: 'UBOT', botId: 'BBOT' };
const KINDS = ['founder_thread_reply', 'customer', 'ignore', 'invalid'];

/** Any text, lone surrogates and control characters included. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 40 }).map((units) => String.fromCharCode(...units)),
);
const slackTs = fc.tuple(fc.integer({ min: 0, max: 9_999_999_999 }), fc.integer({ min: 0, max: 999_999 }))
  .map(([s, f]) => `${s}.${String(f).padStart(6, '0')}`);
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const file = fc.oneof(
  fc.record({ id: fc.stringMatching(/^F[A-Z0-9]{1,12}$/), name: anyText, mimetype: fc.constantFrom('image/png', 'application/pdf', 'audio/ogg', 'video/mp4', '') })
    .map((f) => slackFile(f)),
  fc.anything(),
);

/** Message events, mostly well-formed enough to reach every rule, sometimes with anything at all in a field. */
const messageEvent = fc.record(
  {
    type: fc.constant('message'),
    subtype: optional(fc.oneof(fc.constantFrom('file_share', 'thread_broadcast', 'message_changed', 'message_deleted', 'bot_message', 'channel_join'), fc.string())),
    user: optional(fc.oneof(fc.constantFrom('UFOUNDER', 'UCUSTOMER', 'UBOT', 'W012AB3CD'), fc.string(), fc.anything())),
    bot_id: optional(fc.oneof(fc.constant('BBOT'), fc.anything())),
    text: optional(fc.oneof(anyText, fc.anything())),
    ts: fc.oneof(slackTs, fc.string(), fc.anything()),
    thread_ts: optional(fc.oneof(slackTs, fc.constant('1767224888.280449'), fc.anything())),
    channel: fc.oneof(fc.constantFrom('CFOUNDER', 'D1', 'CSHARED', 'G0PRIVATE'), fc.string(), fc.anything()),
    channel_type: optional(fc.constantFrom('im', 'channel', 'group', 'mpim')),
    files: optional(fc.array(file, { maxLength: 25 })),
  },
  { requiredKeys: ['type', 'ts', 'channel'] },
);

describe('routeMessageEvent, properties', () => {
  it('never throws on anything at all, and names a kind', () => {
    fc.assert(fc.property(fc.anything(), (raw) => {
      expect(KINDS).toContain(routeMessageEvent(raw, routing).kind);
    }));
  });

  it('every routed result is well-formed for the rule that routed it', () => {
    fc.assert(
      fc.property(messageEvent, (event) => {
        const routed = routeMessageEvent(event, routing);
        switch (routed.kind) {
          case 'ignore':
          case 'invalid':
            expect(routed.reason).not.toBe('');
            return;
          case 'founder_thread_reply':
            expect(routed.channel).toBe('CFOUNDER');
            expect(routing.founderUsers).toContain(routed.user);
            expect(routed.threadTs).not.toBe(routed.ts);
            expect(event.bot_id).toBeUndefined();
            expect([undefined, 'file_share', 'thread_broadcast']).toContain(event.subtype);
            return;
          case 'customer':
            expect(routed.channel).not.toBe('CFOUNDER');
            expect(routing.founderUsers).not.toContain(routed.user);
            expect(routed.user).not.toBe(routing.botUserId);
            expect(routed.text.trim() !== '' || routed.files.length > 0).toBe(true);
            expect(routed.files.every((f) => f.fileRef.startsWith('slack:F'))).toBe(true);
            return;
        }
      }),
      { numRuns: 500 },
    );
  });

  it('a customer message always becomes an InboundMessage the core accepts, with its platform id', () => {
    fc.assert(
      fc.property(messageEvent, fc.record({ displayName: optional(anyText), username: optional(anyText) }), (event, sender) => {
        const routed = routeMessageEvent(event, routing);
        if (routed.kind !== 'customer') return;
        const cleanSender = Object.fromEntries(Object.entries(sender).filter(([, v]) => v !== undefined));
        const parsed = InboundMessageSchema.safeParse(toInboundMessage(routed, cleanSender, event));
        expect(parsed.error?.issues ?? []).toEqual([]);
        expect(parsed.data?.platformMessageId).toBe(`${routed.channel}:${routed.ts}`);
        expect(Number.isNaN(parsed.data?.sentAt.getTime())).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('a field holding the wrong kind of value makes the event invalid, never a customer message', () => {
    fc.assert(
      fc.property(fc.constantFrom('text', 'ts', 'channel', 'user', 'thread_ts'), fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.object()), (field, value) => {
        const event = { type: 'message', user: 'UCUSTOMER', text: 'hello', ts: '1767300000.000001', channel: 'D1', channel_type: 'im', [field]: value };
        expect(routeMessageEvent(event, routing).kind).toBe('invalid');
      }),
    );
  });
});

describe('slackTextToPlain, properties', () => {
  it('never throws and never makes a text longer', () => {
    fc.assert(fc.property(anyText, (text) => {
      expect(slackTextToPlain(text).length).toBeLessThanOrEqual(text.length);
    }));
  });

  it('leaves a text without Slack markup (<, >, &) exactly as it is', () => {
    fc.assert(fc.property(anyText.filter((t) => !/[<>&]/.test(t)), (text) => {
      expect(slackTextToPlain(text)).toBe(text);
    }));
  });

  it('any link with a label reads as `label (url)`', () => {
    const part = fc.string({ minLength: 1 }).filter((s) => !/[<>|&]/.test(s));
    fc.assert(fc.property(part, part, (url, label) => {
      fc.pre(label !== url && !url.startsWith('@') && !url.startsWith('#') && !url.startsWith('!') && label !== url.replace(/^mailto:/, ''));
      expect(slackTextToPlain(`<${url}|${label}>`)).toBe(`${label} (${url})`);
    }));
  });
});
