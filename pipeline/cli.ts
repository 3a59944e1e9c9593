/**
 * Command-line entry point: `node pipeline/cli.ts <command> [options]` (or `npm run pipeline --`).
 * The commands and the boundary that runs them are in pipeline/cli/.
 */
import { main } from './cli/index.ts';

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
}
