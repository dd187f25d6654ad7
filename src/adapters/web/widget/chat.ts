/**
 * Wires the widget together: the session, the event stream and the outgoing queue feed one
 * MessageList, and every change is rendered by the view.
 */
import { Alarm } from './alarm.ts';
import { EventStream, type ServerSentEvent } from './event-stream.ts';
import { MessageList } from './message-list.ts';
import { OutgoingQueue, type DeliveryOutcome, type OutgoingItem } from './outgoing-queue.ts';
import { isWebMessage, newClientId, ProtocolClient, type SessionRequest, type WebMessage } from './protocol.ts';
import { Session, type Refusal } from './session.ts';
import { STRINGS, type Locale } from './strings.ts';
import { chooseTheme } from './theme.ts';
import { ChatView } from './view.ts';

export interface ChatOptions {
  origin: string;
  locale: Locale;
  identity: Omit<SessionRequest, 'token' | 'locale'>;
}

export interface ChatControls {
  open(): void;
  close(): void;
}

/** localStorage, or nothing when the page may not use it (sandboxed frames, some private modes). */
function storageSlot(key: string): { read(): string | null; write(value: string | undefined): void } {
  return {
    read() {
      try {
        return localStorage.getItem(key);
      } catch {
        return null;
      }
    },
    write(value) {
      try {
        if (value === undefined) localStorage.removeItem(key);
        else localStorage.setItem(key, value);
      } catch {
        // Without storage the widget still works; it just forgets on reload.
      }
    },
  };
}

function parseJson(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function startChat({ origin, locale, identity }: ChatOptions): ChatControls {
  const list = new MessageList();
  const alarm = new Alarm();
  const client = new ProtocolClient(origin);
  const tokenSlot = storageSlot(`solodesk:${origin}:token`);
  const outboxSlot = storageSlot(`solodesk:${origin}:outbox`);
  let refusal: Refusal | undefined;

  const view = new ChatView(STRINGS[locale], {
    onSend(text) {
      const id = newClientId();
      const at = new Date().toISOString();
      list.addLocal(id, text, at);
      render();
      queue.enqueue({ kind: 'message', id, text, at });
    },
    onRetry(id) {
      list.setLocalState(id, 'sending');
      render();
      queue.retry(id);
    },
    onPress(messageKey, action) {
      list.press(messageKey, action);
      render();
      queue.enqueue({ kind: 'action', id: newClientId(), action, messageKey });
    },
  });
  const render = (): void => view.render(list.ordered());

  function receive(messages: readonly WebMessage[]): void {
    list.mergeAll(messages);
    for (const message of messages) if (message.clientMessageId !== undefined) queue.acknowledge(message.clientMessageId);
    render();
  }

  function refuse(reason: Refusal): void {
    refusal = reason;
    view.setConnection('refused', reason);
  }

  const session = new Session({
    client,
    identity: { ...identity, locale },
    alarm,
    store: {
      load: () => tokenSlot.read() ?? undefined,
      save: (token) => tokenSlot.write(token),
    },
    onCreated: (created) => receive(created.messages.filter(isWebMessage)),
    onRetrying: () => undefined,
    onRefused: refuse,
  });

  async function deliver(item: OutgoingItem): Promise<DeliveryOutcome> {
    let token: string;
    try {
      token = await session.token();
    } catch {
      return { kind: 'halt' };
    }
    const result = item.kind === 'message' ? await client.sendMessage(token, item.id, item.text) : await client.sendAction(token, item.id, item.action);
    switch (result.kind) {
      case 'ok':
        if (item.kind === 'message' && 'message' in result.body && isWebMessage(result.body.message)) {
          receive([{ ...result.body.message, clientMessageId: result.body.message.clientMessageId ?? item.id }]);
        }
        return { kind: 'delivered' };
      case 'unauthorized':
        session.expire(token);
        return { kind: 'retry', afterMs: 0 };
      case 'refused':
        refuse('origin');
        return { kind: 'halt' };
      case 'rejected':
        return { kind: 'rejected' };
      case 'retry':
        return result.afterMs === undefined ? { kind: 'retry' } : { kind: 'retry', afterMs: result.afterMs };
    }
  }

  const queue = new OutgoingQueue({
    alarm,
    deliver,
    store: {
      load: () => parseJson(outboxSlot.read()),
      save: (items) => outboxSlot.write(items.length > 0 ? JSON.stringify(items) : undefined),
    },
    onChange(item, outcome) {
      if (item.kind === 'message' && outcome === 'rejected') list.setLocalState(item.id, 'failed');
      if (item.kind === 'action' && outcome === 'rejected') list.unpress(item.messageKey);
      render();
    },
  });
  for (const item of queue.items()) {
    if (item.kind === 'message') list.addLocal(item.id, item.text, item.at, item.failed ? 'failed' : 'sending');
    else list.press(item.messageKey, item.action);
  }

  const onEvent = ({ event, data }: ServerSentEvent): void => {
    const payload = parseJson(data);
    if (event === 'history' && typeof payload === 'object' && payload !== null) {
      const { messages } = payload as { messages?: unknown };
      if (Array.isArray(messages)) receive(messages.filter(isWebMessage));
    } else if (event === 'message' && isWebMessage(payload)) {
      receive([payload]);
    }
  };
  const isOnline = (): boolean => navigator.onLine !== false;
  const stream = new EventStream({
    client,
    session,
    alarm,
    isOnline,
    onEvent,
    onStatus: (status) => {
      if (!refusal) view.setConnection(status);
    },
    onRefused: () => refuse('origin'),
  });

  const applyTheme = (): void => {
    const backgrounds = [document.body, document.documentElement].filter(Boolean).map((node) => getComputedStyle(node).backgroundColor);
    view.setTheme(chooseTheme(matchMedia('(prefers-color-scheme: dark)').matches, backgrounds));
  };
  applyTheme();
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', applyTheme);
  // Sites with a dark-mode toggle switch a class or attribute on html or body.
  const themeWatcher = new MutationObserver(applyTheme);
  for (const node of [document.documentElement, document.body]) themeWatcher.observe(node, { attributes: true, attributeFilter: ['class', 'style', 'data-theme'] });

  const resume = (): void => {
    alarm.wakeAll();
    stream.start();
    queue.start();
  };
  addEventListener('online', resume);
  addEventListener('offline', () => {
    if (!refusal) view.setConnection('offline');
    stream.interrupt();
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') resume();
  });

  view.setConnection(isOnline() ? 'connecting' : 'offline');
  render();
  document.body.append(view.host);
  resume();
  return { open: () => view.open(), close: () => view.close() };
}
