// The KB's port for an embedding model (OPENAI_EMBEDDING_MODEL). The KB names what it needs
// here and never the LLM client: src/llm/embedder.ts implements it, desk.ts plugs it in.

export interface Embedder {
  /** The model's name: stored vectors are keyed by it, so a new model embeds everything afresh. */
  readonly model: string;
  /**
   * One vector per text, in order, and the tokens the request cost. Throws when the server
   * fails or is too slow; the KB then ranks by words alone.
   */
  embed(texts: string[]): Promise<{ vectors: number[][]; tokens: number }>;
}
