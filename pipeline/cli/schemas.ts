/** `schemas`: the JSON Schema of the submission manifest, for editors. */
import { resolve } from 'node:path';
import { z } from 'zod';
import { SubmissionManifest } from '../../schemas/manifest.ts';
import { writeFileAtomic } from '../io/files.ts';
import { QUIET_OPTION, REPOSITORY_ROOT, type CommandSpec } from './options.ts';

export function manifestJsonSchema(): string {
  return (
    JSON.stringify(
      z.toJSONSchema(SubmissionManifest, { io: 'input', unrepresentable: 'any' }),
      null,
      2,
    ) + '\n'
  );
}

export const schemasCommand: CommandSpec = {
  summary:
    'Write the JSON Schema of the submission manifest (schemas/manifest.schema.json) for editors.',
  options: [QUIET_OPTION],
  async run({ logger }) {
    const path = resolve(REPOSITORY_ROOT, 'schemas', 'manifest.schema.json');
    await writeFileAtomic(path, manifestJsonSchema());
    logger.info(`wrote ${path}`);
  },
};
