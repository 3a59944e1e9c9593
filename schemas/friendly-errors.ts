/**
 * One way to turn zod issues into messages a contributor can act on: every line names the
 * file, the JSON pointer of the field, and what to do.
 */
import { z } from 'zod';

/** Thrown when a file does not match its schema. `issues` holds one line per problem. */
export class SchemaValidationError extends Error {
  readonly code = 'SCHEMA_INVALID';
  readonly file: string;
  readonly issues: readonly string[];

  constructor(file: string, what: string, issues: readonly string[]) {
    super(`${file}: invalid ${what}\n${issues.map((line) => `  - ${line}`).join('\n')}`);
    this.name = 'SchemaValidationError';
    this.file = file;
    this.issues = issues;
  }
}

/** RFC 6901 JSON pointer of an issue path, `/` for the root. */
export function jsonPointer(path: readonly PropertyKey[]): string {
  if (path.length === 0) {
    return '/';
  }
  return path.map((key) => '/' + String(key).replaceAll('~', '~0').replaceAll('/', '~1')).join('');
}

/** The value at `path` in `data`, or undefined where the path leaves the data. */
function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let value = data;
  for (const key of path) {
    if (value === null || typeof value !== 'object') {
      return undefined;
    }
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function describeValue(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'an array';
  }
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return `the string ${JSON.stringify(shown)}`;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return `${typeof value} ${String(value)}`;
  }
  return typeof value === 'object' ? 'an object' : typeof value;
}

/** Fields that an earlier version of a file had, by JSON pointer, and what replaced them. */
export type RenamedFields = Readonly<Record<string, string>>;

function describeIssue(
  issue: z.core.$ZodIssue,
  data: unknown,
  renamed: RenamedFields = {},
): string {
  const where = jsonPointer(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const pointerOf = (key: string) => jsonPointer([...issue.path, key]);
    const replaced = issue.keys.filter((key) => renamed[pointerOf(key)] !== undefined);
    const unknown = issue.keys.filter((key) => renamed[pointerOf(key)] === undefined);
    const keys = unknown.map((key) => `"${key}"`).join(', ');
    const plural = unknown.length > 1;
    return [
      ...replaced.map((key) => `${pointerOf(key)}: ${renamed[pointerOf(key)] ?? ''}`),
      ...(unknown.length > 0
        ? [
            `${where}: unknown key${plural ? 's' : ''} ${keys}; remove ${plural ? 'them' : 'it'} or fix the spelling`,
          ]
        : []),
    ].join('; ');
  }
  if (issue.code === 'invalid_type') {
    const value = valueAt(data, issue.path);
    return value === undefined
      ? `${where}: is required (expected ${issue.expected})`
      : `${where}: expected ${issue.expected}, got ${describeValue(value)}`;
  }
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    // Report the branch that got furthest instead of every alternative's complaint.
    const best = issue.errors.reduce((a, b) => (a.length <= b.length ? a : b));
    return best
      .map((inner) =>
        describeIssue({ ...inner, path: [...issue.path, ...inner.path] }, data, renamed),
      )
      .join('; ');
  }
  return `${where}: ${issue.message}`;
}

/**
 * Every issue as `/json/pointer: message`, in the order zod reported them. With the parsed
 * `data`, a field of the wrong type is told apart from a missing one.
 */
export function describeIssues(
  error: z.ZodError,
  data?: unknown,
  renamed?: RenamedFields,
): string[] {
  return error.issues.map((issue) => describeIssue(issue, data, renamed));
}

/**
 * Parse `data` with `schema` or throw a {@link SchemaValidationError} naming `file`.
 * `what` completes the sentence "invalid …" (for example "submission manifest").
 */
export function parseWithFriendlyErrors<S extends z.ZodType>(
  schema: S,
  data: unknown,
  file: string,
  what: string,
  renamed?: RenamedFields,
): z.output<S> {
  const result = schema.safeParse(data);
  if (result.success) {
    return result.data;
  }
  throw new SchemaValidationError(file, what, describeIssues(result.error, data, renamed));
}

/** Parse JSON text, reporting syntax errors with the file name. */
export function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SchemaValidationError(file, 'JSON', [`/: not valid JSON (${reason})`]);
  }
}
