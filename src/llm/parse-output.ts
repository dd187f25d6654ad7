import { z } from 'zod';

// The model's reply, read tolerantly: servers in JSON mode (and some in json_schema mode) still
// wrap the object in code fences or a sentence. The first parseable JSON object found wins, then
// zod decides whether it is a draft.

export const draftOutputSchema = z.object({
  answer: z.string().trim().min(1),
  cited_article_ids: z.array(z.string()),
  supported: z.boolean(),
  language: z.string(),
});

export type DraftOutput = z.infer<typeof draftOutputSchema>;

/** The draft in `text`, or undefined when there is no JSON object of the right shape. */
export function parseDraftOutput(text: string): DraftOutput | undefined {
  for (const candidate of jsonObjectCandidates(text)) {
    const parsed = draftOutputSchema.safeParse(candidate);
    if (parsed.success) return parsed.data;
  }
  return undefined;
}

/** Every JSON object in the text: the whole text, each fenced block, each balanced {…} span. */
export function jsonObjectCandidates(text: string): unknown[] {
  const found: unknown[] = [];
  const tryParse = (source: string): void => {
    try {
      const value: unknown = JSON.parse(source);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) found.push(value);
    } catch {
      // not JSON: the next candidate may be
    }
  };
  tryParse(text.trim());
  for (const fence of text.matchAll(/```[a-zA-Z]*\s*\n?([\s\S]*?)```/g)) tryParse((fence[1] ?? '').trim());
  for (const span of balancedObjects(text)) tryParse(span);
  return found;
}

/** Top-level `{…}` spans, braces inside JSON strings ignored. */
function balancedObjects(text: string): string[] {
  const spans: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"' && depth > 0) inString = true;
    else if (ch === '{') {
      if (depth === 0) start = i;
      depth += 1;
    } else if (ch === '}' && depth > 0) {
      depth -= 1;
      if (depth === 0) spans.push(text.slice(start, i + 1));
    }
  }
  return spans;
}
