// The page GET /web/demo serves: a plain product page with the widget on it, the way a founder's
// site embeds it (one script tag), to try the web chat locally with `npm start`.

const TEXT = {
  en: {
    title: 'Solodesk web chat demo',
    heading: 'Your product',
    body: 'This page stands in for your website. The chat button in the corner is the Solodesk widget: ask it something your knowledge base answers, or something it does not, and reply from your founder console.',
    embed: 'Add it to your own site with one line:',
  },
  zh: {
    title: 'Solodesk 网页聊天演示',
    heading: '你的产品',
    body: '这个页面代表你的网站。角落里的聊天按钮就是 Solodesk 小部件：问一个知识库能回答的问题，或者一个它回答不了的问题，然后在你的创始人控制台里回复。',
    embed: '在你自己的网站上只需加一行：',
  },
} as const;

/** `origin`: where this server is reached (PUBLIC_URL, or the Host the browser used), for the snippet. */
export function demoPage(lang: 'en' | 'zh', origin: string): string {
  const t = TEXT[lang];
  const snippet = escapeHtml(`<script src="${origin}/widget.js" async></script>`);
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t.title}</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; padding: 3rem 1.5rem; max-width: 40rem; }
  code { background: #f2f2f2; padding: 0.2rem 0.4rem; border-radius: 4px; word-break: break-all; }
  @media (prefers-color-scheme: dark) { body { background: #16181d; color: #e6e6e6; } code { background: #2a2d35; } }
</style>
</head>
<body>
<h1>${t.heading}</h1>
<p>${t.body}</p>
<p>${t.embed}</p>
<p><code>${snippet}</code></p>
<script src="/widget.js" async></script>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
