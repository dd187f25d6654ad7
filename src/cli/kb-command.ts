import type { Command } from 'commander';
import type { Config } from '../config/env.ts';
import type { Desk } from '../desk.ts';
import type { KnowledgeBaseService } from '../kb/knowledge-base-service.ts';
import { runCommand } from './run-command.ts';
import { sinceOf } from './since.ts';

// What a command needs is imported when it runs: `kb --help` loads none of it.
async function withDesk(config: Config, run: (desk: Desk) => Promise<void>): Promise<void> {
  return (await import('./desk-session.ts')).withDesk(config, run);
}

/** The commands on articles alone: the KB without the rest of the desk (faster to load). */
async function withKb(config: Config, run: (kb: KnowledgeBaseService) => Promise<void>): Promise<void> {
  return (await import('./desk-session.ts')).withKnowledgeBase(config, run);
}

export function registerKbCommand(program: Command): void {
  const kb = program.command('kb').description('curate the knowledge base');

  kb.command('import')
    .argument('<dir>', 'folder of Markdown files with front matter (title, questions, tags, lang, status)')
    .description('create or update articles from Markdown files (the file name is the slug); every file is checked first, and one bad file imports nothing')
    .action((dir: string) =>
      runCommand(async (config) => {
        const { importArticles, readKbFolder } = await import('../kb/markdown.ts');
        // Checked before the database is opened: a bad folder is reported whole, and touches nothing.
        const articles = readKbFolder(dir);
        await withKb(config, async (knowledgeBase) => {
          const result = await importArticles(knowledgeBase, articles, 'cli:import');
          console.log(
            `imported ${dir}: ${result.created.length} created, ${result.updated.length} updated, ${result.unchanged.length} unchanged`,
          );
        });
      }, 'kb import'),
    );

  kb.command('export')
    .argument('<dir>', 'folder to write one Markdown file per article into (made if missing)')
    .description('write every article (archived ones too) as Markdown with front matter')
    .action((dir: string) =>
      runCommand(async (config) => {
        const { exportKbDirectory, prepareExportFolder } = await import('../kb/markdown.ts');
        prepareExportFolder(dir);
        await withKb(config, async (knowledgeBase) => {
          const slugs = await exportKbDirectory(knowledgeBase, dir);
          console.log(`exported ${slugs.length} article(s) to ${dir}`);
        });
      }, 'kb export'),
    );

  kb.command('list')
    .option('--tag <tag>', 'only articles with this tag')
    .option('--status <status>', 'draft, published or archived (default: all but archived)')
    .description('list articles')
    .action((options: { tag?: string; status?: 'draft' | 'published' | 'archived' }) =>
      runCommand((config) =>
        withKb(config, async (knowledgeBase) => {
          const articles = await knowledgeBase.list({ ...(options.tag ? { tag: options.tag } : {}), ...(options.status ? { status: options.status } : {}) });
          for (const a of articles) {
            console.log(`${a.slug.padEnd(32)} ${a.status.padEnd(9)} v${a.version}  ${a.title}${a.tags.length ? `  [${a.tags.join(', ')}]` : ''}`);
          }
          console.log(`${articles.length} article(s)`);
        }),
      ),
    );

  kb.command('health')
    .description('how sure the bot is across the KB, and which articles need more example questions')
    .action(() =>
      runCommand((config) =>
        withKb(config, async (knowledgeBase) => {
          const { formatKbHealth } = await import('./kb-health-report.ts');
          for (const line of formatKbHealth(await knowledgeBase.health(), await knowledgeBase.list())) console.log(line);
        }),
      ),
    );

  kb.command('gaps')
    .option('--since <period>', 'how far back: 30d, 12h, 2w, or a date', '30d')
    .option('--json', 'print the groups as JSON (every question, with its message and conversation ids)')
    .description('questions no article answered, grouped by meaning, biggest group first: the articles to write next')
    .action((options: { since: string; json?: boolean }) =>
      runCommand((config) =>
        withDesk(config, async (desk) => {
          const now = new Date();
          const since = sinceOf(options.since, now);
          const groups = await desk.core.founder.kbGaps({ since });
          if (options.json) {
            console.log(JSON.stringify({ since: since.toISOString(), groups }, null, 2));
            return;
          }
          const [{ gapsLines }, { PLAIN_MARKUP }] = await Promise.all([import('../core/founder/kb-commands.ts'), import('../core/founder/help.ts')]);
          // every group, and up to five of its questions: the terminal has room
          for (const line of gapsLines(PLAIN_MARKUP, Math.round((now.getTime() - since.getTime()) / 86_400_000), groups, Infinity, 5)) console.log(line);
        }),
      ),
    );

  kb.command('search')
    .argument('<text>', 'a customer question')
    .description('rank articles for a question and show the decision (answer, suggest or escalate)')
    .action((text: string) =>
      runCommand((config) =>
        withKb(config, async (knowledgeBase) => {
          await knowledgeBase.sync(true);
          const { decision, ranked } = await knowledgeBase.decide(text);
          ranked.forEach((r, i) =>
            console.log(`${i + 1}. ${r.article.slug.padEnd(32)} score ${r.score.toFixed(3)}  confidence ${r.confidence.toFixed(3)}  ${r.article.title}`),
          );
          if (ranked.length === 0) console.log('(no matching article)');
          const answersAt = decision.answerThreshold === null ? 'only near-verbatim repeats of small KBs' : `≥ ${decision.answerThreshold}`;
          console.log(
            `decision: ${decision.outcome}${decision.verbatim ? ' (a near-verbatim repeat of an example question)' : ''} (confidence ${decision.confidence.toFixed(3)}; answers at ${answersAt}, suggests at ≥ ${knowledgeBase.thresholds.suggest})`,
          );
        }),
      ),
    );
}
