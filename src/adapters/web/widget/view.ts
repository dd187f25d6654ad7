/**
 * The widget's DOM, inside an open shadow root on `#solodesk-widget`: launcher, dialog, message
 * log and composer. Server text reaches the DOM only as textContent, or through the Markdown
 * renderer, which escapes it.
 */
import { renderMarkdown } from './markdown.ts';
import type { ChatEntry } from './message-list.ts';
import type { Author } from './protocol.ts';
import type { WidgetStrings } from './strings.ts';
import { WIDGET_CSS } from './styles.ts';
import type { Theme } from './theme.ts';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'offline' | 'refused';

export const MAX_MESSAGE_LENGTH = 4000;

export interface ViewCallbacks {
  onSend: (text: string) => void;
  onRetry: (clientMessageId: string) => void;
  onPress: (messageKey: string, action: string) => void;
}

const LAUNCHER_ICON =
  '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>';

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export class ChatView {
  readonly host: HTMLElement;
  private readonly root: ShadowRoot;
  private readonly strings: WidgetStrings;
  private readonly callbacks: ViewCallbacks;
  private readonly launcher: HTMLButtonElement;
  private readonly panel: HTMLElement;
  private readonly banner: HTMLElement;
  private readonly log: HTMLElement;
  private readonly input: HTMLTextAreaElement;
  private readonly send: HTMLButtonElement;
  private readonly rendered = new Map<string, { entry: ChatEntry; node: HTMLElement }>();

  constructor(strings: WidgetStrings, callbacks: ViewCallbacks) {
    this.strings = strings;
    this.callbacks = callbacks;
    this.host = element('div');
    this.host.id = 'solodesk-widget';
    this.root = this.host.attachShadow({ mode: 'open' });
    const style = element('style', undefined, WIDGET_CSS);

    this.launcher = element('button', 'launcher');
    this.launcher.type = 'button';
    this.launcher.innerHTML = LAUNCHER_ICON;
    this.launcher.setAttribute('aria-label', strings.launcher);
    this.launcher.setAttribute('aria-expanded', 'false');
    this.launcher.setAttribute('aria-controls', 'solodesk-panel');
    this.launcher.addEventListener('click', () => (this.isOpen() ? this.close() : this.open()));

    this.panel = element('section', 'panel');
    this.panel.id = 'solodesk-panel';
    this.panel.hidden = true;
    this.panel.setAttribute('role', 'dialog');
    this.panel.setAttribute('aria-label', strings.title);
    this.panel.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      this.close();
    });

    const header = element('div', 'header');
    const close = element('button', 'close', '×');
    close.type = 'button';
    close.setAttribute('aria-label', strings.close);
    close.addEventListener('click', () => this.close());
    header.append(element('span', undefined, strings.title), close);

    this.banner = element('div', 'banner');
    this.banner.setAttribute('role', 'status');

    this.log = element('div', 'log');
    this.log.setAttribute('role', 'log');
    this.log.setAttribute('aria-live', 'polite');
    this.log.setAttribute('aria-label', strings.title);
    this.log.tabIndex = 0;

    const composer = element('form', 'composer');
    this.input = element('textarea');
    this.input.rows = 1;
    this.input.maxLength = MAX_MESSAGE_LENGTH;
    this.input.setAttribute('aria-label', strings.inputLabel);
    this.input.placeholder = strings.inputPlaceholder;
    this.input.addEventListener('keydown', (event) => {
      // keyCode 229: Enter that confirms an IME composition (Chinese input) is not "send".
      if (event.key !== 'Enter' || event.shiftKey || event.isComposing || event.keyCode === 229) return;
      event.preventDefault();
      this.submit();
    });
    this.input.addEventListener('input', () => this.fitInput());
    this.send = element('button', 'send', strings.send);
    this.send.type = 'submit';
    composer.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
    composer.append(this.input, this.send);

    this.panel.append(header, this.banner, this.log, composer);
    this.root.append(style, this.panel, this.launcher);
  }

  isOpen(): boolean {
    return !this.panel.hidden;
  }

  open(): void {
    this.panel.hidden = false;
    this.launcher.setAttribute('aria-expanded', 'true');
    this.scrollToEnd();
    this.input.focus();
  }

  close(): void {
    if (!this.isOpen()) return;
    this.panel.hidden = true;
    this.launcher.setAttribute('aria-expanded', 'false');
    this.launcher.focus();
  }

  setTheme(theme: Theme): void {
    this.host.setAttribute('data-theme', theme);
  }

  /** `refusal` picks the text for 'refused': 403 (origin) or 401 on the session (identity). */
  setConnection(state: ConnectionState, refusal?: 'origin' | 'identity'): void {
    this.host.setAttribute('data-connection', state);
    const texts: Partial<Record<ConnectionState, string>> = {
      offline: this.strings.offline,
      reconnecting: this.strings.reconnecting,
      refused: refusal === 'identity' ? this.strings.identityInvalid : this.strings.originNotAllowed,
    };
    this.banner.textContent = texts[state] ?? '';
    this.banner.setAttribute('data-tone', state === 'refused' ? 'error' : 'info');
    const usable = state !== 'refused';
    this.input.disabled = !usable;
    this.send.disabled = !usable;
  }

  /** Shows `entries` in this order, rebuilding only the messages that changed. */
  render(entries: readonly ChatEntry[]): void {
    const atEnd = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 40;
    const wanted = new Set(entries.map((entry) => entry.key));
    for (const [key, { node }] of this.rendered) {
      if (wanted.has(key)) continue;
      node.remove();
      this.rendered.delete(key);
    }
    let cursor = this.log.firstElementChild;
    let addedOwn = false;
    for (const entry of entries) {
      const previous = this.rendered.get(entry.key);
      let node = previous?.node;
      if (previous?.entry !== entry) {
        const fresh = this.messageNode(entry);
        if (node) {
          const hadFocus = node.contains(this.root.activeElement);
          node.replaceWith(fresh);
          if (hadFocus) this.input.focus();
          if (cursor === node) cursor = fresh;
        } else if (entry.message.author === 'customer') addedOwn = true;
        node = fresh;
        this.rendered.set(entry.key, { entry, node });
      }
      if (node === cursor) cursor = cursor.nextElementSibling;
      else this.log.insertBefore(node!, cursor);
    }
    if (atEnd || addedOwn) this.scrollToEnd();
  }

  private messageNode(entry: ChatEntry): HTMLElement {
    const { message } = entry;
    const node = element('div', 'msg');
    node.setAttribute('data-message-id', entry.key);
    node.setAttribute('data-author', message.author);
    if (entry.state) node.setAttribute('data-state', entry.state);
    node.append(element('div', 'author', this.authorLabel(message.author)));

    const body = element('div', 'body');
    if (message.format === 'markdown' && message.author !== 'customer') {
      body.classList.add('md');
      body.innerHTML = renderMarkdown(message.text);
    } else {
      body.textContent = message.text;
    }
    node.append(body);

    const clientMessageId = message.clientMessageId;
    if (entry.state === 'sending') node.append(element('div', 'status', this.strings.sending));
    if (entry.state === 'failed' && clientMessageId !== undefined) {
      const retry = element('button', 'retry', this.strings.notSentRetry);
      retry.type = 'button';
      retry.addEventListener('click', () => this.callbacks.onRetry(clientMessageId));
      node.append(retry);
    }

    const buttons = message.buttons ?? [];
    if (buttons.length > 0) {
      if (message.buttonsPrompt) node.append(element('div', 'prompt', message.buttonsPrompt));
      const group = element('div', 'buttons');
      group.setAttribute('role', 'group');
      if (message.buttonsPrompt) group.setAttribute('aria-label', message.buttonsPrompt);
      for (const { action, label } of buttons) {
        const button = element('button', undefined, label);
        button.type = 'button';
        if (entry.pressedAction !== undefined) {
          button.disabled = true;
          button.setAttribute('aria-pressed', String(entry.pressedAction === action));
        } else {
          button.addEventListener('click', () => this.callbacks.onPress(entry.key, action));
        }
        group.append(button);
      }
      node.append(group);
    }
    return node;
  }

  private authorLabel(author: Author): string {
    if (author === 'customer') return this.strings.authorCustomer;
    return author === 'bot' ? this.strings.authorBot : this.strings.authorFounder;
  }

  private submit(): void {
    const text = this.input.value.trim();
    if (text === '' || this.input.disabled) return;
    this.callbacks.onSend(text.slice(0, MAX_MESSAGE_LENGTH));
    this.input.value = '';
    this.fitInput();
    this.input.focus();
  }

  private fitInput(): void {
    this.input.style.height = 'auto';
    this.input.style.height = `${Math.min(this.input.scrollHeight + 2, 120)}px`;
  }

  private scrollToEnd(): void {
    this.log.scrollTop = this.log.scrollHeight;
  }
}
