import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkArticleFile, KbFileError, type ArticleFile, type ArticleFileCheck } from './article-file.ts';
import { fsErrorCode, fsReason } from './fs-problem.ts';

// Reads a KB folder whole before anything is imported: a run reports every bad file at once,
// and a folder with one bad file imports nothing.

const FOLDER_HINT = 'give the folder of your Markdown articles';

/** The articles of every `.md` file in `dir`, by file name; throws a KbFileError listing every problem. */
export function readKbFolder(dir: string): ArticleFile[] {
  const files = markdownFilesIn(dir);
  const articles: ArticleFile[] = [];
  const problems: string[] = [];
  let badFiles = 0;
  for (const file of files) {
    const checked = readArticleFile(dir, file);
    if (checked.problems) {
      problems.push(...checked.problems);
      badFiles++;
    } else {
      articles.push(checked.article);
    }
  }
  if (badFiles > 0) throw new KbFileError([...problems, `${badFiles} of ${files.length} files in ${dir} have problems; nothing was imported`]);
  return articles;
}

function markdownFilesIn(dir: string): string[] {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new KbFileError([`${dir} is a file, not a folder (${FOLDER_HINT})`]);
    names = readdirSync(dir);
  } catch (error) {
    if (error instanceof KbFileError) throw error;
    const problem = fsErrorCode(error) === 'ENOENT' ? `no folder at ${dir}` : `cannot read the folder ${dir} (${fsReason(error)})`;
    throw new KbFileError([`${problem} (${FOLDER_HINT})`], { cause: error });
  }
  const files = names.filter((f) => f.endsWith('.md')).sort();
  if (files.length === 0) {
    throw new KbFileError([`no Markdown files (*.md) in ${dir}: each article is one .md file with front matter, as in examples/kb`]);
  }
  return files;
}

function readArticleFile(dir: string, file: string): ArticleFileCheck {
  let text: string;
  try {
    text = readFileSync(join(dir, file), 'utf8');
  } catch (error) {
    return { problems: [`${file}: cannot read it (${fsReason(error)})`] };
  }
  return checkArticleFile(file, text);
}
