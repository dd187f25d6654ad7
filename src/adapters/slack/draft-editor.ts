import type { types } from '@slack/bolt';
import { MODAL_BODY_MAX } from './kb-views.ts';
import { viewValue } from './parse.ts';

// Edit draft: the LLM's draft in a modal, changed by the founder and sent as their reply. Pure.

export const DRAFT_EDITOR_CALLBACK = 'founder_edit_draft';
/** The block of the reply's text (also where the modal shows a refusal). */
export const DRAFT_EDITOR_INPUT = 'reply';

const plain = (text: string): types.PlainTextElement => ({ type: 'plain_text', text, emoji: true });

export function draftEditorModal(conversationId: string, draft: string): types.ModalView {
  const element: types.PlainTextInput = { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: MODAL_BODY_MAX };
  if (draft !== '') element.initial_value = draft.slice(0, MODAL_BODY_MAX);
  return {
    type: 'modal',
    callback_id: DRAFT_EDITOR_CALLBACK,
    private_metadata: conversationId,
    title: plain('Edit draft'),
    submit: plain('Send'),
    close: plain('Cancel'),
    blocks: [{ type: 'input', block_id: DRAFT_EDITOR_INPUT, label: plain('Reply to the customer'), element }],
  };
}

/** The text the founder submitted. */
export function editedDraft(values: unknown): string {
  return viewValue(values, DRAFT_EDITOR_INPUT, 'value') ?? '';
}
