/** `pr-comment`: validate an untrusted pull-request report and print its comment. */
import { resolve } from 'node:path';
import { PrReport } from '../../schemas/pr-report.ts';
import { UsageError } from '../errors.ts';
import { renderPrComment } from '../github/pr-report.ts';
import { readJsonFile } from '../io/files.ts';
import { LOGGING_OPTIONS, type CommandSpec } from './options.ts';

export const prCommentCommand: CommandSpec = {
  positionals: '<report.json>',
  summary:
    'Validate a pull-request report (untrusted: made by pull-request code) and print the comment that shows it, as escaped markdown.',
  options: [...LOGGING_OPTIONS],
  async run({ positionals }) {
    const [path] = positionals;
    if (path === undefined) {
      throw new UsageError('pr-comment needs the report file');
    }
    const report = await readJsonFile(
      resolve(process.cwd(), path),
      PrReport,
      'pull-request report',
    );
    process.stdout.write(renderPrComment(report));
  },
};
