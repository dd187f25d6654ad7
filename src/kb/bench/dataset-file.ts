import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SolodeskError } from '../../errors.ts';
import { fsErrorCode, fsReason } from '../fs-problem.ts';
import { parseDataset, type KbDataset } from './dataset.ts';

// Dataset files for `bench kb`: a missing file, a folder that is not there or JSON that does not
// parse is reported with its path (and the line and column), not as a raw ENOENT or SyntaxError.

export class DatasetFileError extends SolodeskError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('kb_dataset_invalid', message, options);
  }
}

export function readDatasetFile(file: string): KbDataset {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const problem = fsErrorCode(error) === 'ENOENT' ? `no dataset file at ${file}` : `cannot read the dataset ${file} (${fsReason(error)})`;
    throw new DatasetFileError(`${problem} (give a dataset JSON file; \`solodesk bench kb --help\` shows its format)`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DatasetFileError(`${file} is not valid JSON${jsonPlace(text, (error as Error).message)}`, { cause: error });
  }
  return parseDataset(json, file);
}

/** " at line 3, column 1 (position 17): <what the parser expected>" from V8's "… in JSON at position 17". */
function jsonPlace(text: string, message: string): string {
  const match = /^(.*?)(?: in JSON)? at position (\d+)/.exec(message);
  if (!match) return `: ${message}`;
  const position = Number(match[2]);
  const before = text.slice(0, position).split('\n');
  return ` at line ${before.length}, column ${before.at(-1)!.length + 1} (position ${position}): ${match[1]}`;
}

/** Every `.json` file in a folder, by name. */
export function datasetFilesIn(dir: string): string[] {
  try {
    if (!statSync(dir).isDirectory()) throw new DatasetFileError(`${dir} is a file, not a folder (give the folder of your dataset JSON files)`);
    return readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => join(dir, f));
  } catch (error) {
    if (error instanceof DatasetFileError) throw error;
    const problem = fsErrorCode(error) === 'ENOENT' ? `no folder at ${dir}` : `cannot read the folder ${dir} (${fsReason(error)})`;
    throw new DatasetFileError(`${problem} (give the folder of your dataset JSON files)`, { cause: error });
  }
}
