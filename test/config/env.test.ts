import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.ts';
import { ConfigError } from '../../src/errors.ts';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('runs with no environment at all: embedded database, port 3000, no channels, LLM off', () => {
    const config = loadConfig({});
    expect(config.database).toEqual({ url: undefined, dataDir: './.solodesk' });
    expect(config.port).toBe(3000);
    expect(config.telegram).toBeUndefined();
    expect(config.slack).toBeUndefined();
    expect(config.llm.mode).toBe('off');
  });

  it('gives one line per problem, each naming its variable', () => {
    const problems = problemsOf({ DATABASE_URL: 'nonsense', PORT: '99999', LLM_MODE: 'sometimes' });
    expect(problems).toHaveLength(3);
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['DATABASE_URL', 'LLM_MODE', 'PORT']);
  });

  it('never echoes a value, since values may be secrets', () => {
    const problems = problemsOf({ SLACK_BOT_TOKEN: 'xoxp-super-secret-value', TELEGRAM_BOT_TOKEN: 'leaky-secret' });
    expect(problems.join('\n')).not.toMatch(/super-secret|leaky-secret/);
    expect(problems.some((p) => p.startsWith('SLACK_BOT_TOKEN:'))).toBe(true);
  });

  it('reports settings that need another one', () => {
    expect(problemsOf({ TELEGRAM_WEBHOOK_SECRET: 'abc' })).toEqual([
      'TELEGRAM_WEBHOOK_SECRET: is set but TELEGRAM_BOT_TOKEN is not',
    ]);
    expect(problemsOf({ SLACK_BOT_TOKEN: 'xoxb-1' })[0]).toMatch(/^SLACK_SIGNING_SECRET:/);
    expect(problemsOf({ LLM_MODE: 'auto' })[0]).toMatch(/^LLM_MODE:/);
  });

  it('parses channels, founder allowlists and normalises API roots', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/test',
      TELEGRAM_BOT_TOKEN: '123:abc_DEF-9',
      TELEGRAM_API_ROOT: 'http://127.0.0.1:8081/',
      FOUNDER_TELEGRAM_IDS: '42, 43',
      SLACK_BOT_TOKEN: 'xoxb-1-2',
      SLACK_SIGNING_SECRET: 's',
      SLACK_API_URL: 'http://127.0.0.1:9000/api',
      SLACK_FOUNDER_USERS: 'U1,U2',
      OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1',
    });
    expect(config.telegram).toMatchObject({ apiRoot: 'http://127.0.0.1:8081', founderIds: ['42', '43'] });
    expect(config.slack).toMatchObject({ apiUrl: 'http://127.0.0.1:9000/api/', founderUsers: ['U1', 'U2'] });
    expect(config.llm.mode).toBe('draft');
  });
});
