import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ENVIRONMENT_VARIABLES } from '../../schemas/environment.ts';
import { COMMANDS, main } from '../../pipeline/cli/index.ts';
import { commandHelpText, helpText } from '../../pipeline/cli/help.ts';
import { expectGolden } from '../support/golden.ts';
import {
  normalizeTables,
  README_PATH,
  readmeTables,
  REGENERATE_COMMAND,
  renderReadmeTables,
} from '../../pipeline/cli/readme.ts';
import { captureStdout } from '../support/capture-output.ts';

describe('the CLI documents itself from its specs', () => {
  it('prints the help of the golden file, for the CLI and for each command', async () => {
    const pages = [
      helpText(COMMANDS),
      ...Object.entries(COMMANDS).map(([name, command]) => commandHelpText(name, command)),
    ];
    await expectGolden('cli-help.txt', `${pages.join('\n\n')}\n`);
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('the README tables are the ones the command and environment specs generate', () => {
    const tables = readmeTables(readFileSync(README_PATH, 'utf8'));
    expect(tables, 'README.md lost the markers around the CLI tables').toBeDefined();
    expect(
      normalizeTables(tables ?? ''),
      `README.md's CLI tables differ from pipeline/cli/ and schemas/environment.ts: run \`${REGENERATE_COMMAND}\``,
    ).toBe(normalizeTables(renderReadmeTables()));
  });

  it('the README tables name every command, option and environment variable', () => {
    const tables = renderReadmeTables();
    for (const [name, command] of Object.entries(COMMANDS)) {
      expect(tables).toContain(`| \`${name}`);
      for (const option of command.options) {
        expect(tables).toContain(`\`--${option.name}`);
      }
    }
    for (const variable of ENVIRONMENT_VARIABLES) {
      expect(tables).toContain(`\`${variable.name}\``);
    }
  });

  it('--help lists every command and every environment variable', async () => {
    const stdout = captureStdout();
    expect(await main(['--help'])).toBe(0);
    const help = stdout.join('');
    for (const name of Object.keys(COMMANDS)) {
      expect(help).toContain(`\n  ${name}`);
    }
    for (const variable of ENVIRONMENT_VARIABLES) {
      expect(help).toContain(`\n  ${variable.name} (`);
    }
  });

  it('<command> --help describes each option with its default and variable, and exits 0', async () => {
    const stdout = captureStdout();
    expect(await main(['evaluate', '--help'])).toBe(0);
    const help = stdout.join('');
    expect(help).toMatch(/^usage: npm run pipeline -- evaluate \[--suite demo\|xares\]/);
    expect(help).toContain(
      '  --suite demo|xares\n      the suite of tasks (default demo; environment LEADERBOARD_SUITE)',
    );
    expect(help).toContain('  --load-timeout <s>\n');
  });
});
