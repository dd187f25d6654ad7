import { describe, expect, it } from 'vitest';
import { groupQuestions, questionSimilarities } from '../../src/kb/gaps.ts';

const texts = (groups: Array<{ items: string[] }>) => groups.map((g) => [...g.items].sort());

describe('KB gap grouping', () => {
  it('puts English paraphrases together and unrelated questions apart, biggest group first', () => {
    const questions = [
      'How do I get an invoice with VAT for my company?',
      'Is dark mode available?',
      'Can you send me a VAT invoice?',
      'Where can I download my invoices?',
      'Can I switch the app to a dark theme?',
      'My parcel arrived damaged',
      'Do you have an office in Berlin?',
    ];
    const groups = groupQuestions(questions, (q) => q);
    expect(texts(groups)).toEqual([
      ['Can you send me a VAT invoice?', 'How do I get an invoice with VAT for my company?', 'Where can I download my invoices?'],
      ['Can I switch the app to a dark theme?', 'Is dark mode available?'],
      ['My parcel arrived damaged'],
      ['Do you have an office in Berlin?'],
    ]);
  });

  it('keeps a topic that most questions share together (no idf over the questions themselves)', () => {
    const questions = ['Can you send me a VAT invoice?', 'How do I get an invoice with VAT for my company?', 'Where can I download my invoices?', 'Is dark mode available?'];
    expect(groupQuestions(questions, (q) => q).map((g) => g.items.length)).toEqual([3, 1]);
  });

  it('puts Chinese paraphrases together and unrelated questions apart', () => {
    const questions = ['怎么开发票？', '我想申请退款', '可以给我开发票吗', '有没有深色模式', '我要发票', '怎么申请退款？', '深色模式在哪里打开'];
    const groups = groupQuestions(questions, (q) => q);
    expect(texts(groups)).toEqual([
      ['可以给我开发票吗', '怎么开发票？', '我要发票'],
      ['怎么申请退款？', '我想申请退款'],
      ['有没有深色模式', '深色模式在哪里打开'],
    ]);
  });

  it('keeps the items it was given and orders a group by how typical each question is', () => {
    const items = [
      { id: 1, text: 'how do I export my account data' },
      { id: 2, text: 'export account data as a csv file' },
      { id: 3, text: 'export to a csv file' },
    ];
    const [group, ...rest] = groupQuestions(items, (i) => i.text);
    expect(rest).toEqual([]);
    expect(group?.items.map((i) => i.id).sort()).toEqual([1, 2, 3]);
    // the second shares words with both others: it stands for the group
    expect(group?.items[0]?.id).toBe(2);
  });

  it('scores a paraphrase above an unrelated question, with and without word vectors', () => {
    for (const vectors of [undefined, null] as const) {
      const [row] = questionSimilarities(['Can I get a refund?', 'I want my money back, refund please', 'Is dark mode available?'], {}, vectors);
      expect(row?.[1]).toBeGreaterThan(row?.[2] ?? 1);
    }
  });

  it('groups nothing from nothing, and caps how many questions it looks at', () => {
    expect(groupQuestions([], (q: string) => q)).toEqual([]);
    const many = Array.from({ length: 10 }, (_, i) => `question number ${i}`);
    const grouped = groupQuestions(many, (q) => q, { maxQuestions: 4 }).flatMap((g) => g.items);
    expect(grouped.sort()).toEqual(many.slice(0, 4));
  });
});
