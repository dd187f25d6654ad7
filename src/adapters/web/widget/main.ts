/**
 * The widget's entry point, bundled to one script that host pages load with
 * `<script src="https://desk.example.com/widget.js" async data-user-id data-user-hash data-name data-locale>`.
 */
import { startChat, type ChatControls } from './chat.ts';
import { chooseLocale } from './locale.ts';

declare global {
  interface Window {
    Solodesk?: ChatControls;
  }
}

// document.currentScript exists only while this script first runs: read it before anything waits.
const script = document.currentScript instanceof HTMLScriptElement ? document.currentScript : null;
const origin = script?.src ? new URL(script.src).origin : location.origin;

let chat: ChatControls | undefined;
let openWhenMounted = false;

function mount(): void {
  if (document.getElementById('solodesk-widget')) return;
  const data = script?.dataset ?? {};
  const identity: { userId?: string; userHash?: string; name?: string } = {};
  if (data.userId) identity.userId = data.userId;
  if (data.userHash) identity.userHash = data.userHash;
  if (data.name) identity.name = data.name;
  chat = startChat({ origin, locale: chooseLocale(data.locale, navigator.language), identity });
  if (openWhenMounted) chat.open();
}

// Defined at once, so a page may call Solodesk.open() before <body> exists and the widget mounts.
window.Solodesk ??= {
  open: () => (chat ? chat.open() : (openWhenMounted = true)),
  close: () => (chat ? chat.close() : (openWhenMounted = false)),
};

// An async script can run before <body> exists.
if (document.body) mount();
else document.addEventListener('DOMContentLoaded', mount, { once: true });
