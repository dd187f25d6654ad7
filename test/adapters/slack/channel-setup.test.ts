import { describe, expect, it } from 'vitest';
import { createSlackChannel } from '../../../src/adapters/slack/index.ts';
import { loadConfig } from '../../../src/config/env.ts';
import type { CoreApi } from '../../../src/core/ports.ts';
import { createHttpServer } from '../../../src/http/server.ts';
import type { KnowledgeBase } from '../../../src/kb/knowledge-base.ts';
import { createMetrics } from '../../../src/observability/metrics.ts';
import { channelContextOf } from '../../support/channel-context.ts';
import { silentLogger } from '../../support/silent-logger.ts';

// Construction only: no event reaches the core or the KB here, so they are never called.
const unused = new Proxy({}, { get: () => { throw new Error('not used in this test'); } });

function build(env: Record<string, string>) {
  const logger = silentLogger();
  const metrics = createMetrics();
  const http = createHttpServer({ logger, metrics, readiness: () => ({ ready: true, details: {} }) });
  const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1-2-x', SLACK_API_URL: 'http://127.0.0.1:9/api/', ...env });
  const channel = createSlackChannel(channelContextOf({ config, core: unused as CoreApi, kb: unused as KnowledgeBase, http, logger, metrics }));
  return { http, channel };
}

describe('createSlackChannel', () => {
  it('with SLACK_APP_TOKEN uses Socket Mode: no HTTP receiver, nothing mounted at /slack/events', async () => {
    const { http, channel } = build({ SLACK_APP_TOKEN: 'xapp-1-A1-1-x', SLACK_FOUNDER_CHANNEL: 'CFOUNDER' });
    expect(channel.slack.receiver).toBeUndefined();
    channel.slack.mount(http);
    const port = await http.listen(0, '127.0.0.1');
    try {
      const res = await fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', body: '{}' });
      expect(res.status).toBe(404);
    } finally {
      await http.close(0);
    }
  });

  it('without a founder channel, Slack carries customers only (no founder sender)', () => {
    const { channel } = build({ SLACK_SIGNING_SECRET: 'secret' });
    expect(channel.slack.receiver).toBeDefined();
    expect(channel.senders.map((s) => s.channel)).toEqual(['slack']);
  });
});
