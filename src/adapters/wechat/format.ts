// How long a reply part may be on WeChat; the rendering itself is core/plain-reply.ts.

/**
 * WeChat itself takes longer texts, but puppets (web, pad, service protocols) differ on where they
 * cut or refuse, and a long wall of text reads badly on a phone: 2,000 characters is what every
 * puppet we know delivers whole. Longer replies go as several messages.
 */
export const WECHAT_TEXT_LIMIT = 2_000;
