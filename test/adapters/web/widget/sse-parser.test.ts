import { describe, expect, it } from 'vitest';
import { SseParser } from '../../../../src/adapters/web/widget/event-stream.ts';

describe('SseParser', () => {
  it('parses named events, ending each at a blank line', () => {
    const parser = new SseParser();
    expect(parser.push('event: history\ndata: {"messages":[]}\n\nevent: message\ndata: {"id":"1"}\n\n')).toEqual([
      { event: 'history', data: '{"messages":[]}' },
      { event: 'message', data: '{"id":"1"}' },
    ]);
  });

  it('keeps partial lines and events across chunks', () => {
    const parser = new SseParser();
    expect(parser.push('event: mess')).toEqual([]);
    expect(parser.push('age\nda')).toEqual([]);
    expect(parser.push('ta: {"a":1}\n')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ event: 'message', data: '{"a":1}' }]);
  });

  it('ignores comments (heartbeats) and unknown fields, and joins data lines', () => {
    const parser = new SseParser();
    expect(parser.push(': heartbeat\n\nid: 7\nretry: 100\ndata: one\ndata:two\n\n')).toEqual([{ event: 'message', data: 'one\ntwo' }]);
  });

  it('accepts CRLF and CR line ends, also split between chunks', () => {
    const parser = new SseParser();
    expect(parser.push('event: a\r\ndata: 1\r')).toEqual([]);
    expect(parser.push('\n\r\n')).toEqual([{ event: 'a', data: '1' }]);
    expect(parser.push('data: 2\r\rdata: 3\n\n')).toEqual([
      { event: 'message', data: '2' },
      { event: 'message', data: '3' },
    ]);
  });

  it('dispatches nothing for an event without data, and resets the event name after each event', () => {
    const parser = new SseParser();
    expect(parser.push('event: history\n\ndata: x\n\n')).toEqual([{ event: 'message', data: 'x' }]);
  });
});
