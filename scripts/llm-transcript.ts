// Records the terminal chat with an LLM configured (issue 16's "Must show"): the real
// `solodesk chat` (the sample KB, a fresh PGlite database, LLM_MODE=auto) against the loopback
// fake OpenAI server of the tests, which here plays a model that answers from the first article it
// is given, copying its first sentence (so the answer is grounded), and refuses what is not covered.
//
//   npx tsx scripts/llm-transcript.ts > transcript.md
//
// Point OPENAI_BASE_URL/OPENAI_API_KEY at a real server instead to see a real model: the script
// then does not start the fake.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeOpenAI, type ChatRequest } from '../test/fakes/openai-api.ts';

/** What a customer types, one line each; `/send` is the founder sending the draft. */
const LINES = [
  'How do I reset my password?',
  'can I get my data out as a spreadsheet?',
  'I want to talk to a human about my invoice',
  '/send',
];

function model(request: ChatRequest): string {
  const user = String(request.messages.at(-1)?.content ?? '');
  const article = /<article id="([^"]+)">\n<title>[^<]*<\/title>\n([^\n]*)/.exec(user);
  const question = /<customer_message language="(en|zh)">\n([\s\S]*?)\n<\/customer_message>/.exec(user);
  if (article === null || question === null) {
    return JSON.stringify({ answer: 'I could not find this in the articles.', cited_article_ids: [], supported: false, language: 'en' });
  }
  const firstSentence = /^[^.!?。！？]*[.!?。！？]/.exec(article[2]!)?.[0] ?? article[2]!;
  return JSON.stringify({ answer: firstSentence.trim(), cited_article_ids: [article[1]], supported: true, language: question[1] });
}

const real = process.env.OPENAI_BASE_URL !== undefined;
const fake = real ? undefined : await startFakeOpenAI();
fake?.reply(model);
const dataDir = mkdtempSync(join(tmpdir(), 'solodesk-transcript-'));
const env = {
  ...process.env,
  SOLODESK_DATA_DIR: dataDir,
  LLM_MODE: 'auto',
  LOG_LEVEL: 'error',
  ...(fake ? { OPENAI_BASE_URL: fake.baseURL, OPENAI_API_KEY: 'sk-transcript-fake', OPENAI_MODEL: 'gpt-4o-mini' } : {}),
};
delete (env as Record<string, string | undefined>).DATABASE_URL;

const child = spawn(process.execPath, ['bin/solodesk.js', 'chat'], { env, stdio: ['pipe', 'pipe', 'inherit'] });
let printed = '';
child.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
child.stdin.end(`${LINES.join('\n')}\n`);
const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
await fake?.close();
rmSync(dataDir, { recursive: true, force: true });

process.stdout.write(
  [
    '```',
    `$ printf '${LINES.join('\\n')}\\n' | LLM_MODE=auto OPENAI_BASE_URL=${real ? process.env.OPENAI_BASE_URL : '<fake>'} npx solodesk chat`,
    printed.trimEnd(),
    '```',
    `exit code ${code}; LLM requests: ${fake ? fake.chatRequests().length : 'n/a (real server)'}`,
    '',
  ].join('\n'),
);
