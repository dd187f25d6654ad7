// How long a reply part may be on WeCom customer service; the rendering itself is core/plain-reply.ts.

/** kf/send_msg's text.content limit: 2,048 bytes of UTF-8 (about 680 Chinese characters). */
export const WECOM_TEXT_MAX_BYTES = 2048;
