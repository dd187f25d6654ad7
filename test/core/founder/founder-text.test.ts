import { describe, expect, it } from 'vitest';
import { classifyFounderText } from '../../../src/core/founder/founder-text.ts';

describe('classifyFounderText', () => {
  // A note sent to a customer is the worst bug a support tool can have: every spelling is a note.
  it.each([
    'note: refund approved by me',
    'Note : check their plan',
    'NOTE- internal',
    '(note) they were rude',
    '[note] call them tomorrow',
    'internal note: VIP',
    ';; not for the customer',
    '// not for the customer',
    '*note*: bold in Slack',
    '_note:_ italic in Slack',
    '\u200bnote: after an invisible character',
    'note：全角冒号',
    'note',
  ])('keeps %j private', (text) => {
    expect(classifyFounderText(text).kind).toBe('note');
  });

  it('reads the commands, with ! after save meaning publish', () => {
    expect(classifyFounderText('!resolve')).toEqual({ kind: 'command', command: 'resolve', publish: false, argument: '' });
    expect(classifyFounderText(' !SEND ')).toEqual({ kind: 'command', command: 'send', publish: false, argument: '' });
    expect(classifyFounderText(' !Reopen ')).toEqual({ kind: 'command', command: 'reopen', publish: false, argument: '' });
    expect(classifyFounderText('!save Refund policy')).toEqual({ kind: 'command', command: 'save', publish: false, argument: 'Refund policy' });
    expect(classifyFounderText('!save! Refund policy')).toEqual({ kind: 'command', command: 'save', publish: true, argument: 'Refund policy' });
    expect(classifyFounderText('!frobnicate now')).toEqual({ kind: 'unknown_command', command: 'frobnicate' });
  });

  it('relays anything else as a reply, and ignores blank text', () => {
    expect(classifyFounderText('  Hi Ada, the refund is on its way.  ')).toEqual({ kind: 'reply', text: 'Hi Ada, the refund is on its way.' });
    expect(classifyFounderText('Notebooks are on sale')).toEqual({ kind: 'reply', text: 'Notebooks are on sale' });
    expect(classifyFounderText('Wow! great')).toMatchObject({ kind: 'reply' });
    expect(classifyFounderText(' \n ')).toEqual({ kind: 'empty' });
  });
});
