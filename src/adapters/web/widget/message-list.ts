/**
 * The conversation as the widget shows it: server messages merged by id, plus the customer's
 * own messages that the server has not confirmed yet ("local", keyed `local:<clientMessageId>`).
 * Pure: no DOM, no timers. Entries are replaced, never mutated, so the view can tell what
 * changed by identity.
 */
import type { WebMessage } from './protocol.ts';

export type DeliveryState = 'sending' | 'sent' | 'failed';

export interface ChatEntry {
  /** `data-message-id`: the server id, or `local:<clientMessageId>`. */
  readonly key: string;
  readonly message: WebMessage;
  /** Customer messages only. */
  readonly state?: DeliveryState;
  /** The button the visitor pressed on this message, if any. */
  readonly pressedAction?: string;
  /** First arrival on screen: breaks ties between equal timestamps. */
  readonly arrival: number;
}

export const localKey = (clientMessageId: string): string => `local:${clientMessageId}`;

function timeOf(entry: ChatEntry): number {
  const time = Date.parse(entry.message.at);
  return Number.isNaN(time) ? Number.POSITIVE_INFINITY : time;
}

export class MessageList {
  private readonly entries = new Map<string, ChatEntry>();
  /** clientMessageIds the server has confirmed: a local copy of them must not come back. */
  private readonly confirmed = new Set<string>();
  /** Presses by message key, kept apart so they survive the message being replaced or arriving later. */
  private readonly pressed = new Map<string, string>();
  private arrivals = 0;

  /** Shows a message the visitor wrote before the server has it. */
  addLocal(clientMessageId: string, text: string, at: string, state: DeliveryState = 'sending'): void {
    if (this.confirmed.has(clientMessageId)) return;
    const key = localKey(clientMessageId);
    const arrival = this.entries.get(key)?.arrival ?? this.arrivals++;
    const message: WebMessage = { id: key, author: 'customer', text, format: 'plain', clientMessageId, at };
    this.entries.set(key, { key, message, state, arrival });
  }

  setLocalState(clientMessageId: string, state: DeliveryState): void {
    const key = localKey(clientMessageId);
    const entry = this.entries.get(key);
    if (entry && entry.state !== state) this.entries.set(key, { ...entry, state });
  }

  removeLocal(clientMessageId: string): void {
    this.entries.delete(localKey(clientMessageId));
  }

  /**
   * A message from the server, new or updated: it replaces the message with the same id, and a
   * customer message replaces the local copy with its clientMessageId, keeping its place.
   */
  merge(message: WebMessage): void {
    const existing = this.entries.get(message.id);
    let arrival = existing?.arrival;
    if (message.clientMessageId !== undefined) {
      this.confirmed.add(message.clientMessageId);
      const local = this.entries.get(localKey(message.clientMessageId));
      if (local) {
        arrival ??= local.arrival;
        this.entries.delete(local.key);
      }
    }
    const entry: ChatEntry = {
      key: message.id,
      message,
      arrival: arrival ?? this.arrivals++,
      ...(message.author === 'customer' ? { state: 'sent' as const } : {}),
      ...(this.pressed.has(message.id) ? { pressedAction: this.pressed.get(message.id) } : {}),
    };
    this.entries.set(message.id, entry);
  }

  mergeAll(messages: readonly WebMessage[]): void {
    for (const message of messages) this.merge(message);
  }

  isConfirmed(clientMessageId: string): boolean {
    return this.confirmed.has(clientMessageId);
  }

  press(key: string, action: string): void {
    if (this.pressed.has(key)) return;
    this.pressed.set(key, action);
    const entry = this.entries.get(key);
    if (entry) this.entries.set(key, { ...entry, pressedAction: action });
  }

  /** Undoes a press the server refused, so the buttons work again. */
  unpress(key: string): void {
    this.pressed.delete(key);
    const entry = this.entries.get(key);
    if (entry?.pressedAction === undefined) return;
    const { pressedAction: _pressed, ...rest } = entry;
    this.entries.set(key, rest);
  }

  get(key: string): ChatEntry | undefined {
    return this.entries.get(key);
  }

  /** Display order: by time, ties by first arrival. */
  ordered(): ChatEntry[] {
    return [...this.entries.values()].sort((a, b) => timeOf(a) - timeOf(b) || a.arrival - b.arrival);
  }
}
