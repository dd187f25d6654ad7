import type { ChannelAdapter, ChannelCapabilities, ChannelContext } from '../../core/channel-adapter.ts';
import { OfficialApi } from './api.ts';
import { OA_TEXT_LIMIT_BYTES } from './format.ts';
import { WECHAT_OA_CHANNEL } from './parse.ts';
import { createOfficialSender, OA_LIMITS } from './send.ts';
import { createCallbackHandler, createVerifyHandler, OFFICIAL_PATH } from './webhook.ts';
import { TypedRatings } from '../../core/plain-reply.ts';

// The WeChat Official Account (公众号) channel: followers' messages arrive as signed (and, in safe
// mode, encrypted) callbacks on /wechat/official; replies go out as customer-service messages
// (custom/send), which WeChat allows within 48 hours of the follower's last message.

export { WECHAT_OA_CHANNEL } from './parse.ts';
export { OFFICIAL_PATH } from './webhook.ts';

export interface WechatOfficialOptions {
  /** The fetch the API client uses (tests may wrap it); the global one by default. */
  fetch?: typeof fetch;
}

export function createWechatOfficialChannel(ctx: ChannelContext, options: WechatOfficialOptions = {}): ChannelAdapter {
  const config = ctx.config.wechatOfficial;
  if (config === undefined) throw new Error('the WeChat Official Account is not configured (WECHAT_OA_APP_ID)');
  const logger = ctx.logger.child({ channel: WECHAT_OA_CHANNEL });
  let accepting = false;
  const ratings = new TypedRatings();
  const webhook = {
    ratings,
    appId: config.appId,
    token: config.token,
    ...(config.aesKey ? { aesKey: config.aesKey } : {}),
    core: ctx.core,
    clock: ctx.clock,
    logger,
    accepting: () => accepting,
  };
  ctx.http.addRoute({ method: 'GET', path: OFFICIAL_PATH, handler: createVerifyHandler(webhook) });
  ctx.http.addRoute({ method: 'POST', path: OFFICIAL_PATH, handler: createCallbackHandler(webhook) });
  const api = new OfficialApi({
    apiRoot: config.apiRoot,
    appId: config.appId,
    appSecret: config.appSecret,
    clock: ctx.clock,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  return {
    name: WECHAT_OA_CHANNEL,
    capabilities: OFFICIAL_CAPABILITIES,
    senders: [createOfficialSender({ api, logger, ratings })],
    async start() {
      // Nothing to connect: WeChat calls us. The token is fetched on the first send.
      accepting = true;
    },
    async stop() {
      accepting = false;
    },
  };
}

/**
 * Plain text only (buttons as a numbered list), no threads, media as references (MediaId), no
 * edits. The text limit is WeChat's in bytes; a Chinese character is three of them.
 */
export const OFFICIAL_CAPABILITIES: ChannelCapabilities = {
  buttons: false,
  threads: false,
  files: true,
  edits: false,
  maxTextLength: Math.floor(OA_TEXT_LIMIT_BYTES / 3),
  rateLimits: OA_LIMITS,
};
