import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_SLACK_JSON_DEPTH, parseSlackBody, retryNumOf, retryReasonOf } from '../../../src/adapters/slack/request-body.ts';
import { jsonNestingDepth } from '../../../src/http/request-body.ts';
import { FORM, JSON_TYPE, slashCommandBody } from '../../fakes/slack-signing.ts';

// Reading and parsing a Slack body before Bolt sees it: limits on bytes read, only JSON objects.

describe('parseSlackBody', () => {
  const parse = (text: string, contentType: string = JSON_TYPE) => parseSlackBody(Buffer.from(text), contentType);

  it('events are JSON objects; interactions are a JSON object in `payload`; commands are form fields', () => {
    expect(parse('{"type":"event_callback"}')).toEqual({ ok: true, body: { type: 'event_callback' }, form: false });
    expect(parse(new URLSearchParams({ payload: '{"type":"block_actions"}' }).toString(), `${FORM}; charset=utf-8`))
      .toEqual({ ok: true, body: { type: 'block_actions' }, form: true });
    const command = parse(slashCommandBody({ command: '/kb', text: 'search a&b=c' }), FORM);
    expect(command).toMatchObject({ ok: true, form: true, body: { command: '/kb', text: 'search a&b=c' } });
  });

  it.each(['null', '[]', '"x"', '42', 'true'])('a JSON %s is not a Slack payload', (text) => {
    expect(parse(text)).toEqual({ ok: false, reason: 'not_a_json_object' });
    expect(parse(new URLSearchParams({ payload: text }).toString(), FORM)).toEqual({ ok: false, reason: 'not_a_json_object' });
  });

  it('broken JSON and absurd nesting are refused with their reason', () => {
    expect(parse('{"type":')).toEqual({ ok: false, reason: 'malformed_json' });
    expect(parse('')).toEqual({ ok: false, reason: 'malformed_json' });
    const deep = (n: number) => `{"a":${'['.repeat(n - 1)}${']'.repeat(n - 1)}}`;
    expect(parse(deep(MAX_SLACK_JSON_DEPTH)).ok).toBe(true);
    expect(parse(deep(MAX_SLACK_JSON_DEPTH + 1))).toEqual({ ok: false, reason: 'nested_too_deep' });
  });

  it('never throws, and accepts only plain objects', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string(), fc.uint8Array().map((b) => Buffer.from(b).toString('latin1'))), fc.constantFrom(JSON_TYPE, FORM, ''), (text, type) => {
        const parsed = parseSlackBody(Buffer.from(text), type);
        if (parsed.ok) {
          expect(typeof parsed.body).toBe('object');
          expect(Array.isArray(parsed.body)).toBe(false);
          expect(parsed.body).not.toBeNull();
        }
      }),
    );
  });
});

describe('jsonNestingDepth', () => {
  it('counts brackets outside strings only, without recursion', () => {
    expect(jsonNestingDepth('{"a":[1,{"b":"[[[{{{"}]}')).toBe(3);
    expect(jsonNestingDepth('{"a":"\\"[["}')).toBe(1);
    expect(jsonNestingDepth('['.repeat(1_000_000))).toBe(1_000_000);
    expect(jsonNestingDepth('['.repeat(1_000_000), 10)).toBe(11);
  });

  it('agrees with the real nesting of any JSON value', () => {
    const depthOf = (value: unknown): number =>
      typeof value === 'object' && value !== null ? 1 + Math.max(0, ...Object.values(value).map(depthOf)) : 0;
    fc.assert(fc.property(fc.jsonValue(), (value) => {
      expect(jsonNestingDepth(JSON.stringify(value))).toBe(depthOf(value));
    }));
  });
});

describe('retry headers', () => {
  it('reads X-Slack-Retry-Num and -Reason when they are what Slack sends', () => {
    expect([retryNumOf('1'), retryNumOf(['3']), retryNumOf('x'), retryNumOf(undefined), retryNumOf('-1')]).toEqual([1, 3, undefined, undefined, undefined]);
    expect([retryReasonOf('http_timeout'), retryReasonOf(''), retryReasonOf(undefined)]).toEqual(['http_timeout', undefined, undefined]);
  });
});
