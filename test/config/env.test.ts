import { describe, expect, it } from 'vitest';
import { LLM_DEFAULTS, loadConfig, WECHAT_PACING } from '../../src/config/env.ts';
import { ConfigError } from '../../src/errors.ts';
import { secretsOf } from '../../src/observability/redact.ts';

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
  it('keeps KB fits in the data folder, in KB_FIT_CACHE_DIR when set, and nowhere for an in-memory database', () => {
    expect(loadConfig({ SOLODESK_DATA_DIR: '/srv/desk' }).kb.fitCacheDir).toBe('/srv/desk/kb-fits');
    expect(loadConfig({ SOLODESK_DATA_DIR: '/srv/desk', KB_FIT_CACHE_DIR: '/var/cache/fits' }).kb.fitCacheDir).toBe('/var/cache/fits');
    expect(loadConfig({ SOLODESK_DATA_DIR: 'memory://' }).kb.fitCacheDir).toBeUndefined();
  });

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

  it('reads WeChat: the puppet, its token as a secret, friend requests and pacing with defaults', () => {
    const config = loadConfig({ WECHATY_PUPPET: 'wechaty-puppet-service', WECHATY_PUPPET_TOKEN: 'puppet_service_token-xyz' });
    expect(config.wechaty).toEqual({
      puppet: 'wechaty-puppet-service',
      token: 'puppet_service_token-xyz',
      acceptFriends: { kind: 'never' },
      perChatIntervalMs: WECHAT_PACING.perChatIntervalMs,
      maxPerMinute: WECHAT_PACING.maxPerMinute,
    });
    // Redacted from every log line like the other tokens.
    expect(secretsOf(config)).toContain('puppet_service_token-xyz');

    const tuned = loadConfig({ WECHATY_PUPPET: 'wechaty-puppet-wechat4u', WECHATY_ACCEPT_FRIENDS: 'true', WECHAT_PER_CHAT_INTERVAL_MS: '5000', WECHAT_MAX_PER_MINUTE: '10' });
    expect(tuned.wechaty).toMatchObject({ acceptFriends: { kind: 'always' }, perChatIntervalMs: 5000, maxPerMinute: 10 });
    expect(loadConfig({ WECHATY_PUPPET: 'p', WECHATY_ACCEPT_FRIENDS: '订单' }).wechaty?.acceptFriends).toEqual({ kind: 'keyword', keyword: '订单' });
    expect(loadConfig({ WECHATY_PUPPET: 'p', WECHATY_ACCEPT_FRIENDS: 'false' }).wechaty?.acceptFriends).toEqual({ kind: 'never' });
  });

  it('names the WeChat pacing variable that is not a whole number, and WeChat settings without a puppet', () => {
    const problems = problemsOf({ WECHATY_PUPPET: 'p', WECHAT_PER_CHAT_INTERVAL_MS: '-1', WECHAT_MAX_PER_MINUTE: 'lots' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['WECHAT_MAX_PER_MINUTE', 'WECHAT_PER_CHAT_INTERVAL_MS']);
    expect(problemsOf({ WECHAT_MAX_PER_MINUTE: '0', WECHATY_PUPPET: 'p' })[0]).toMatch(/^WECHAT_MAX_PER_MINUTE: must be a whole number ≥ 1/);
    expect(problemsOf({ WECHATY_PUPPET_TOKEN: 't', WECHATY_ACCEPT_FRIENDS: 'true' })).toEqual([
      'WECHATY_PUPPET_TOKEN: is set but WECHATY_PUPPET is not',
      'WECHATY_ACCEPT_FRIENDS: is set but WECHATY_PUPPET is not',
    ]);
  });
});

describe('loadConfig: WeChat Official Account', () => {
  const OA = { WECHAT_OA_APP_ID: 'wx5823bf96d3bd56c7', WECHAT_OA_APP_SECRET: 'oa-app-secret-value', WECHAT_OA_TOKEN: 'oa-callback-token' };
  const AES = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';

  it('reads the account in plaintext mode (no key) with the default API root, and in safe mode', () => {
    expect(loadConfig(OA).wechatOfficial).toEqual({
      appId: OA.WECHAT_OA_APP_ID, appSecret: OA.WECHAT_OA_APP_SECRET, token: OA.WECHAT_OA_TOKEN, apiRoot: 'https://api.weixin.qq.com',
    });
    const safe = loadConfig({ ...OA, WECHAT_OA_AES_KEY: AES, WECHAT_API_ROOT: 'http://127.0.0.1:9/' });
    expect(safe.wechatOfficial).toMatchObject({ aesKey: AES, apiRoot: 'http://127.0.0.1:9' });
    expect(loadConfig({}).wechatOfficial).toBeUndefined();
  });

  it('registers the secret, the token and the key as secrets, not the app id', () => {
    const secrets = secretsOf(loadConfig({ ...OA, WECHAT_OA_AES_KEY: AES }));
    expect(secrets).toEqual(expect.arrayContaining([OA.WECHAT_OA_APP_SECRET, OA.WECHAT_OA_TOKEN, AES]));
    expect(secrets).not.toContain(OA.WECHAT_OA_APP_ID);
  });

  it('names each missing variable of a half-set account, and a key of the wrong length', () => {
    expect(problemsOf({ WECHAT_OA_APP_ID: OA.WECHAT_OA_APP_ID })).toEqual([
      'WECHAT_OA_APP_SECRET: is required with WECHAT_OA_APP_ID (WeChat Official Account)',
      'WECHAT_OA_TOKEN: is required with WECHAT_OA_APP_ID (WeChat Official Account)',
    ]);
    expect(problemsOf({ WECHAT_OA_AES_KEY: AES })).toEqual(['WECHAT_OA_AES_KEY: is set but WECHAT_OA_APP_ID is not']);
    expect(problemsOf({ ...OA, WECHAT_OA_AES_KEY: AES.slice(1) })).toEqual([
      expect.stringMatching(/^WECHAT_OA_AES_KEY: must be the 43-character EncodingAESKey/),
    ]);
  });
});

describe('WeCom customer service configuration', () => {
  const WECOM = { WECOM_CORP_ID: 'ww0123456789abcdef', WECOM_KF_SECRET: 'kf-secret-value-1', WECOM_TOKEN: 'callbackToken1', WECOM_AES_KEY: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' };

  it('takes all four credentials, with WeCom’s API root by default', () => {
    expect(loadConfig(WECOM).wecom).toEqual({ corpId: WECOM.WECOM_CORP_ID, secret: WECOM.WECOM_KF_SECRET, token: WECOM.WECOM_TOKEN, aesKey: WECOM.WECOM_AES_KEY, apiRoot: 'https://qyapi.weixin.qq.com' });
    expect(loadConfig({ ...WECOM, WECOM_API_ROOT: 'http://127.0.0.1:9/' }).wecom?.apiRoot).toBe('http://127.0.0.1:9');
    expect(loadConfig({}).wecom).toBeUndefined();
  });

  it('names each missing variable of a half-set block, and never echoes a value', () => {
    const problems = problemsOf({ WECOM_CORP_ID: WECOM.WECOM_CORP_ID, WECOM_KF_SECRET: WECOM.WECOM_KF_SECRET });
    expect(problems.map((p) => p.split(':')[0])).toEqual(['WECOM_TOKEN', 'WECOM_AES_KEY']);
    expect(problems.join('\n')).not.toContain(WECOM.WECOM_KF_SECRET);
    expect(problemsOf({ ...WECOM, WECOM_AES_KEY: 'too-short' }).map((p) => p.split(':')[0])).toEqual(['WECOM_AES_KEY']);
    expect(problemsOf({ WECOM_API_ROOT: 'http://127.0.0.1:9' })).toEqual(['WECOM_API_ROOT: is set but WECOM_CORP_ID is not']);
  });

  it('redacts the secret, the callback token and the AES key, not the corp id', () => {
    const secrets = secretsOf(loadConfig(WECOM));
    expect(secrets).toEqual(expect.arrayContaining([WECOM.WECOM_KF_SECRET, WECOM.WECOM_TOKEN, WECOM.WECOM_AES_KEY]));
    expect(secrets).not.toContain(WECOM.WECOM_CORP_ID);
  });
});

describe('loadConfig: the LLM drafter', () => {
  it('caps tokens per day and the time per draft, with defaults', () => {
    expect(loadConfig({}).llm).toMatchObject({ dailyTokens: LLM_DEFAULTS.dailyTokens, timeoutMs: LLM_DEFAULTS.timeoutMs });
    expect(LLM_DEFAULTS).toEqual({ dailyTokens: 200_000, timeoutMs: 20_000 });
    const tuned = loadConfig({ OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1', LLM_DAILY_TOKENS: '5000', LLM_TIMEOUT_MS: '1500' });
    expect(tuned.llm).toMatchObject({ dailyTokens: 5000, timeoutMs: 1500 });
  });

  it('rejects a budget or timeout that is not a positive whole number, naming the variable', () => {
    expect(problemsOf({ LLM_DAILY_TOKENS: '0' })).toEqual([expect.stringMatching(/^LLM_DAILY_TOKENS: must be a whole number ≥ 1/)]);
    expect(problemsOf({ LLM_DAILY_TOKENS: '1e9.5' })[0]).toMatch(/^LLM_DAILY_TOKENS:/);
    expect(problemsOf({ LLM_TIMEOUT_MS: '-5' })[0]).toMatch(/^LLM_TIMEOUT_MS:/);
    expect(problemsOf({ LLM_TIMEOUT_MS: 'soon' })[0]).toMatch(/^LLM_TIMEOUT_MS:/);
  });

  it('reads extra founder topics, in English and Chinese punctuation, and names the variable when malformed', () => {
    expect(loadConfig({}).llm.founderTopics).toEqual([]);
    expect(loadConfig({ LLM_FOUNDER_TOPICS: 'shipping damage: broken, damaged，破损; 发票：专票、普票' }).llm.founderTopics).toEqual([
      { name: 'shipping damage', terms: ['broken', 'damaged', '破损'] },
      { name: '发票', terms: ['专票', '普票'] },
    ]);
    expect(problemsOf({ LLM_FOUNDER_TOPICS: 'broken, damaged' })[0]).toMatch(/^LLM_FOUNDER_TOPICS: must be "name: term/);
    expect(problemsOf({ LLM_FOUNDER_TOPICS: 'damage:' })[0]).toMatch(/^LLM_FOUNDER_TOPICS:/);
  });

  it('counts the OpenAI key among the secrets scrubbed from every log line', () => {
    const config = loadConfig({ OPENAI_API_KEY: 'sk-env-test-openai-key' });
    expect(config.llm.apiKey).toBe('sk-env-test-openai-key');
    expect(secretsOf(config)).toContain('sk-env-test-openai-key');
  });
});

describe('loadConfig: the KB embedding model', () => {
  it('is off unless OPENAI_EMBEDDING_MODEL is set, and then needs the LLM server', () => {
    expect(loadConfig({ OPENAI_API_KEY: 'sk-env-test-openai-key' }).llm.embeddingModel).toBeUndefined();
    expect(loadConfig({ OPENAI_API_KEY: 'sk-env-test-openai-key', OPENAI_EMBEDDING_MODEL: ' text-embedding-3-small ' }).llm.embeddingModel).toBe('text-embedding-3-small');
    // a local server, with the drafts off: embeddings alone
    const local = loadConfig({ OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1', OPENAI_EMBEDDING_MODEL: 'nomic-embed-text', LLM_MODE: 'off' });
    expect(local.llm).toMatchObject({ mode: 'off', embeddingModel: 'nomic-embed-text' });
    expect(problemsOf({ OPENAI_EMBEDDING_MODEL: 'text-embedding-3-small' })).toEqual([
      'OPENAI_EMBEDDING_MODEL: is set but neither OPENAI_API_KEY nor OPENAI_BASE_URL is set',
    ]);
  });
});

describe('loadConfig: the web chat', () => {
  it('is on by default with no other site allowed; WEB_CHAT=off removes it', () => {
    expect(loadConfig({}).web).toEqual({ allowedOrigins: [] });
    expect(loadConfig({ WEB_CHAT: 'off' }).web).toBeUndefined();
  });

  it('takes origins, and names the variable for anything that is not one', () => {
    expect(loadConfig({ WEB_ALLOWED_ORIGINS: 'https://shop.example.com/, http://localhost:8080' }).web?.allowedOrigins).toEqual(['https://shop.example.com', 'http://localhost:8080']);
    for (const bad of ['shop.example.com', 'https://shop.example.com/path', 'ftp://x.example.com', '*']) {
      expect(problemsOf({ WEB_ALLOWED_ORIGINS: bad }).map((p) => p.split(':')[0])).toEqual(['WEB_ALLOWED_ORIGINS']);
    }
    expect(problemsOf({ WEB_CHAT: 'maybe' }).map((p) => p.split(':')[0])).toEqual(['WEB_CHAT']);
  });

  it('wants a real identity secret, never echoes it, and redacts it from logs', () => {
    const problems = problemsOf({ WEB_IDENTITY_SECRET: 'short-secret' });
    expect(problems.map((p) => p.split(':')[0])).toEqual(['WEB_IDENTITY_SECRET']);
    expect(problems.join('\n')).not.toContain('short-secret');
    const secret = 'site-signing-secret-0123456789';
    expect(secretsOf(loadConfig({ WEB_IDENTITY_SECRET: secret }))).toContain(secret);
  });
});
