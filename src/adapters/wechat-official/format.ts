// How long a reply part may be on an Official Account; the rendering itself is core/plain-reply.ts.

/**
 * WeChat documents 2,048 bytes for a text message's content (bytes, not characters: a Chinese
 * character is three). Parts stay under it with room to spare.
 */
export const OA_TEXT_LIMIT_BYTES = 2_000;
