/**
 * Usage lines and `--help`, generated from the command and option specs and from the list of
 * environment variables (schemas/environment.ts), so that neither can drift from what is parsed.
 */
import { ENVIRONMENT_VARIABLES, type EnvironmentVariableSpec } from '../../schemas/environment.ts';
import type { CommandSpec, OptionSpec } from './options.ts';

/** `--name`, `--name <value>` or `--name a|b|c`, in brackets unless required. */
export function optionUsage(option: OptionSpec): string {
  const value = option.choices ? option.choices.join('|') : (option.value ?? '<value>');
  const shown = option.type === 'boolean' ? `--${option.name}` : `--${option.name} ${value}`;
  return option.required === true ? shown : `[${shown}]`;
}

export function commandUsage(name: string, command: CommandSpec): string {
  const options = command.optionsOf
    ? [`[the options of ${command.optionsOf}]`]
    : command.options.map(optionUsage);
  return [name, ...(command.positionals === undefined ? [] : [command.positionals]), ...options]
    .join(' ')
    .trim();
}

/** "default X; LEADERBOARD_Y", or what there is of it. */
export function optionDefaults(option: OptionSpec): string {
  return [
    option.default === undefined ? undefined : `default ${option.default}`,
    option.env === undefined ? undefined : `environment ${option.env}`,
  ]
    .filter((part) => part !== undefined)
    .join('; ');
}

export function environmentLine(variable: EnvironmentVariableSpec): string {
  const facts = [
    variable.defaultText === undefined ? undefined : `default ${variable.defaultText}`,
    variable.readBy === 'both' ? 'pipeline and site' : variable.readBy,
  ].filter((fact) => fact !== undefined);
  return `${variable.name} (${facts.join('; ')}): ${variable.description}`;
}

function environmentSection(): string[] {
  return [
    'environment:',
    ...ENVIRONMENT_VARIABLES.map((variable) => `  ${environmentLine(variable)}`),
  ];
}

/** `npm run pipeline -- --help`: every command's usage and summary, then the environment. */
export function helpText(commands: Readonly<Record<string, CommandSpec>>): string {
  const lines = ['usage: npm run pipeline -- <command> [options]', '', 'commands:'];
  for (const [name, command] of Object.entries(commands)) {
    lines.push(`  ${commandUsage(name, command)}`, `      ${command.summary}`, '');
  }
  lines.push(
    `\`npm run pipeline -- <command> --help\` describes each option.`,
    '',
    ...environmentSection(),
  );
  return lines.join('\n');
}

/** `npm run pipeline -- <command> --help`: the usage, the summary and every option. */
export function commandHelpText(name: string, command: CommandSpec): string {
  const lines = [`usage: npm run pipeline -- ${commandUsage(name, command)}`, '', command.summary];
  if (command.options.length > 0) {
    lines.push('', 'options:');
    for (const option of command.options) {
      const defaults = optionDefaults(option);
      lines.push(
        `  ${optionUsage(option).replace(/^\[(.*)\]$/, '$1')}`,
        `      ${option.description}${defaults === '' ? '' : ` (${defaults})`}`,
      );
    }
  }
  return lines.join('\n');
}
