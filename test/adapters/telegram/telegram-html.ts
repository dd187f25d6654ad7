/**
 * Telegram's HTML parse mode rules (core.telegram.org/bots/api#html-style), as a checker: every
 * `<`, `>` and `&` outside a tag or entity is an error, only the supported tags, properly nested,
 * nothing inside <code>/<pre> but <code> in <pre>. Returns the problems (empty when Telegram
 * would accept the text) and the visible text, whose length is what the 4,096 limit counts.
 */
const TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'span', 'tg-spoiler', 'a', 'tg-emoji', 'code', 'pre', 'blockquote']);

export function checkTelegramHtml(html: string): { problems: string[]; visible: string } {
  const problems: string[] = [];
  const stack: string[] = [];
  let visible = '';
  let i = 0;
  while (i < html.length) {
    const ch = html[i]!;
    if (ch === '<') {
      const end = html.indexOf('>', i);
      if (end === -1) {
        problems.push(`unclosed "<" at ${i}`);
        break;
      }
      const tag = /^<(\/?)([a-z-]+)(\s+[a-z-]+="[^"<>]*")*\s*>$/.exec(html.slice(i, end + 1));
      if (tag === null) problems.push(`not a tag at ${i}: ${html.slice(i, end + 1)}`);
      else {
        const [, closing, name] = tag;
        if (!TAGS.has(name!)) problems.push(`unsupported tag <${name}>`);
        if (closing === '') {
          const top = stack[stack.length - 1];
          if (top === 'code' || (top === 'pre' && name !== 'code')) problems.push(`<${name}> inside <${top}>`);
          stack.push(name!);
        } else if (stack.pop() !== name) problems.push(`</${name}> does not close the open tag at ${i}`);
      }
      i = end + 1;
      continue;
    }
    if (ch === '>') problems.push(`bare ">" at ${i}`);
    if (ch === '&') {
      const entity = /^&(lt|gt|amp|quot|#\d+|#x[0-9a-f]+);/i.exec(html.slice(i));
      if (entity === null) problems.push(`bare "&" at ${i}`);
      else {
        visible += { lt: '<', gt: '>', amp: '&', quot: '"' }[entity[1]!.toLowerCase()] ?? '?';
        i += entity[0].length;
        continue;
      }
    }
    visible += ch;
    i++;
  }
  if (stack.length > 0) problems.push(`unclosed tags: ${stack.join(', ')}`);
  return { problems, visible };
}
