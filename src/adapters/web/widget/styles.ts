/** The widget's CSS, inside its shadow root so the host page cannot restyle it nor be restyled. */
export const WIDGET_CSS = `
:host{all:initial;position:fixed;z-index:2147483000;right:0;bottom:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"PingFang SC","Microsoft YaHei",sans-serif;
--bg:#fff;--fg:#1d2330;--muted:#667085;--line:#e3e6ec;--accent:#2f6fed;--on-accent:#fff;--bubble:#f1f3f7;--mine:#2f6fed;--on-mine:#fff;--warn:#b42318;--shadow:0 8px 30px rgba(0,0,0,.18)}
:host([data-theme=dark]){--bg:#1b1e25;--fg:#e8eaef;--muted:#9aa3b2;--line:#2e333d;--accent:#5b8def;--bubble:#2a2f3a;--mine:#3d6fd6;--warn:#ff8a80;--shadow:0 8px 30px rgba(0,0,0,.6)}
*{box-sizing:border-box}
button,textarea{font:inherit;color:inherit}
button{cursor:pointer}
:focus-visible{outline:2px solid var(--accent);outline-offset:2px}
.launcher{position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;border:0;background:var(--accent);color:var(--on-accent);box-shadow:var(--shadow);display:grid;place-items:center}
.launcher svg{width:26px;height:26px;fill:currentColor}
.panel{position:fixed;right:20px;bottom:88px;width:370px;height:min(560px,calc(100vh - 110px));display:flex;flex-direction:column;background:var(--bg);color:var(--fg);border:1px solid var(--line);border-radius:14px;box-shadow:var(--shadow);overflow:hidden}
.panel[hidden]{display:none}
.header{display:flex;align-items:center;justify-content:space-between;padding:10px 12px 10px 16px;border-bottom:1px solid var(--line);font-weight:600}
.close{border:0;background:none;width:32px;height:32px;border-radius:8px;font-size:20px;line-height:1}
.close:hover{background:var(--bubble)}
.banner{padding:6px 12px;font-size:13px;color:var(--fg);background:var(--bubble);border-bottom:1px solid var(--line)}
.banner:empty{display:none}
.banner[data-tone=error]{color:var(--warn)}
.log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:10px}
.msg{max-width:85%;align-self:flex-start;display:flex;flex-direction:column;gap:4px}
.msg[data-author=customer]{align-self:flex-end;align-items:flex-end}
.author{font-size:11px;color:var(--muted)}
.body{padding:8px 11px;border-radius:12px;background:var(--bubble);overflow-wrap:anywhere;white-space:pre-wrap}
.body.md{white-space:normal}
.body p,.body ul,.body ol{margin:0 0 .5em}
.body>:last-child{margin-bottom:0}
.body ul,.body ol{padding-left:1.3em}
.body code{font:12px/1.4 ui-monospace,Menlo,Consolas,monospace;background:rgba(127,127,127,.18);padding:1px 4px;border-radius:4px}
.body a{color:inherit}
.msg[data-author=customer] .body{background:var(--mine);color:var(--on-mine)}
.msg[data-state=sending] .body{opacity:.7}
.status{font-size:11px;color:var(--muted)}
.retry{border:0;background:none;padding:0;font-size:12px;color:var(--warn);text-decoration:underline}
.prompt{font-size:12px;color:var(--muted)}
.buttons{display:flex;flex-wrap:wrap;gap:6px}
.buttons button{border:1px solid var(--line);background:var(--bg);border-radius:999px;padding:4px 10px;font-size:13px}
.buttons button:hover:enabled{border-color:var(--accent)}
.buttons button:disabled{cursor:default;opacity:.55}
.buttons button[aria-pressed=true]{opacity:1;border-color:var(--accent);background:var(--accent);color:var(--on-accent)}
.composer{display:flex;gap:8px;align-items:flex-end;padding:10px;border-top:1px solid var(--line)}
textarea{flex:1;resize:none;min-height:40px;max-height:120px;padding:9px 10px;border:1px solid var(--line);border-radius:10px;background:var(--bg)}
.send{border:0;border-radius:10px;background:var(--accent);color:var(--on-accent);padding:9px 14px;font-weight:600}
.send:disabled,textarea:disabled{opacity:.5;cursor:default}
@media (max-width:479.98px){.panel{inset:0;width:100%;height:100%;border-radius:0;border:0}.launcher[aria-expanded=true]{display:none}}
@media (prefers-reduced-motion:no-preference){.panel{animation:rise .16s ease-out}@keyframes rise{from{transform:translateY(8px);opacity:0}}}
`;
