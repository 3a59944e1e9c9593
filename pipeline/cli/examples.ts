/** `examples`: regenerate the example encoders. */
import { writeExampleSubmissions } from '../example-encoders/examples.ts';
import { QUIET_OPTION, submissionsDir, type CommandSpec } from './options.ts';

export const examplesCommand: CommandSpec = {
  summary: 'Regenerate the example encoders and their manifests under submissions/.',
  options: [QUIET_OPTION],
  async run({ logger, environment }) {
    for (const dir of await writeExampleSubmissions(submissionsDir(environment))) {
      logger.info(`wrote ${dir}`);
    }
  },
};
