/**
 * Every environment variable the pipeline and the site read, in one place: each variable's
 * name, default and meaning (the CLI's help and the README's table are generated from this
 * list), and one parser from a `process.env`-like record to a typed object. The site may import
 * only schemas/, so this lives here and imports nothing but zod.
 *
 * An empty value counts as unset everywhere: `LEADERBOARD_CACHE_DIR=` means the default, not the
 * repository root.
 */
import { z } from 'zod';

/** The suite evaluated and shown when nothing else is configured. */
export const DEFAULT_SUITE = 'demo';

export const DEFAULT_ZENODO_URL = 'https://zenodo.org';

/** How long a command waits for another holding the results folder: an hour. */
export const DEFAULT_LOCK_WAIT_SECONDS = 3600;

/** Who reads a variable: the pipeline's commands, the site's build, or both. */
export type EnvironmentReader = 'pipeline' | 'site' | 'both';

export interface EnvironmentVariableSpec {
  readonly name: string;
  readonly readBy: EnvironmentReader;
  /** The default in words, for the help text and the README; absent when unset means "none". */
  readonly defaultText?: string;
  readonly description: string;
}

export const ENVIRONMENT_VARIABLES = [
  {
    name: 'LEADERBOARD_SUITE',
    readBy: 'both',
    defaultText: DEFAULT_SUITE,
    description: 'the suite whose results are evaluated and shown (the default of --suite)',
  },
  {
    name: 'LEADERBOARD_RESULTS_DIR',
    readBy: 'both',
    defaultText: 'results/<suite>',
    description:
      'the results folder (the default of --results-dir); tests build the site from a fixture folder this way',
  },
  {
    name: 'LEADERBOARD_CACHE_DIR',
    readBy: 'pipeline',
    defaultText: '.cache',
    description:
      "shards, downloads, the WordPiece vocabulary, the embedding cache, the checker's stored verdicts (checks/) and the models' scanned parameter counts (scans/)",
  },
  {
    name: 'LEADERBOARD_SUBMISSIONS_DIR',
    readBy: 'pipeline',
    defaultText: 'submissions',
    description: 'the folder of submission folders',
  },
  {
    name: 'LEADERBOARD_LOCK_WAIT_SECONDS',
    readBy: 'pipeline',
    defaultText: String(DEFAULT_LOCK_WAIT_SECONDS),
    description: 'how long a command waits for another holding the results folder',
  },
  {
    name: 'ZENODO_URL',
    readBy: 'pipeline',
    defaultText: DEFAULT_ZENODO_URL,
    description: 'where the public X-ARES shards are downloaded from',
  },
  {
    name: 'LEADERBOARD_PRIVATE_DATA_URL',
    readBy: 'pipeline',
    description:
      'where the private (organiser-held) shards are: an absolute folder, a file:// URL or an http(s) URL',
  },
  {
    name: 'LEADERBOARD_PRIVATE_DATA_TOKEN',
    readBy: 'pipeline',
    description: 'bearer token sent to the private data server',
  },
  {
    name: 'LEADERBOARD_ALLOW_PRIVATE_NETWORK',
    readBy: 'pipeline',
    description: '1 allows a private data server on a private or loopback address, or plain http',
  },
  {
    name: 'PR_AUTHOR_ASSOCIATION',
    readBy: 'pipeline',
    defaultText: 'NONE',
    description:
      "the pull request author's association; guard lets OWNER, MEMBER and COLLABORATOR through",
  },
  {
    name: 'LEADERBOARD_ARCHIVE_DIR',
    readBy: 'site',
    defaultText: 'results/archive',
    description: 'the archived editions the site shows',
  },
  {
    name: 'LEADERBOARD_OUT_DIR',
    readBy: 'site',
    defaultText: './dist',
    description: 'where astro writes the built site',
  },
  {
    name: 'LEADERBOARD_ASTRO_CACHE_DIR',
    readBy: 'site',
    description: "astro's cache folder (astro's own default when unset)",
  },
  {
    name: 'LEADERBOARD_SITE_URL',
    readBy: 'site',
    description: 'the URL the site is deployed at',
  },
  {
    name: 'LEADERBOARD_BASE_PATH',
    readBy: 'site',
    defaultText: '/',
    description: 'the path under that URL',
  },
] as const satisfies readonly EnvironmentVariableSpec[];

export type EnvironmentVariableName = (typeof ENVIRONMENT_VARIABLES)[number]['name'];

/** What `process.env` is to this module: any record of optional strings. */
export type RawEnvironment = Readonly<Record<string, string | undefined>>;

/** An environment variable whose value cannot be used; says which one and how to fix it. */
export class EnvironmentVariableError extends Error {
  readonly variable: EnvironmentVariableName;
  readonly hint: string;

  constructor(message: string, variable: EnvironmentVariableName, hint: string) {
    super(message);
    this.name = 'EnvironmentVariableError';
    this.variable = variable;
    this.hint = hint;
  }
}

const optional = z
  .string()
  .optional()
  .transform((value) => (value === '' ? undefined : value));

const RawEnvironmentSchema = z.object({
  LEADERBOARD_SUITE: optional,
  LEADERBOARD_RESULTS_DIR: optional,
  LEADERBOARD_CACHE_DIR: optional,
  LEADERBOARD_SUBMISSIONS_DIR: optional,
  LEADERBOARD_LOCK_WAIT_SECONDS: optional,
  ZENODO_URL: optional,
  LEADERBOARD_PRIVATE_DATA_URL: optional,
  LEADERBOARD_PRIVATE_DATA_TOKEN: optional,
  LEADERBOARD_ALLOW_PRIVATE_NETWORK: optional,
  PR_AUTHOR_ASSOCIATION: optional,
  LEADERBOARD_ARCHIVE_DIR: optional,
  LEADERBOARD_OUT_DIR: optional,
  LEADERBOARD_ASTRO_CACHE_DIR: optional,
  LEADERBOARD_SITE_URL: optional,
  LEADERBOARD_BASE_PATH: optional,
} satisfies Record<EnvironmentVariableName, typeof optional>);

/** The environment, typed, with the defaults applied where a default exists. */
export interface LeaderboardEnvironment {
  readonly suite: string;
  /** LEADERBOARD_RESULTS_DIR as given; resultsDirFor() applies the default, which needs the suite. */
  readonly resultsDirOverride: string | undefined;
  readonly cacheDir: string;
  readonly submissionsDir: string;
  readonly lockWaitSeconds: number;
  readonly zenodoUrl: string;
  readonly privateDataUrl: string | undefined;
  readonly privateDataToken: string | undefined;
  readonly allowPrivateNetwork: boolean;
  readonly prAuthorAssociation: string;
  readonly archiveDir: string;
  readonly outDir: string;
  readonly astroCacheDir: string | undefined;
  readonly siteUrl: string | undefined;
  readonly basePath: string;
}

function wholeSeconds(value: string | undefined): number {
  if (value === undefined) {
    return DEFAULT_LOCK_WAIT_SECONDS;
  }
  // Number() would take "0x10", "1e3" and " 5 ": only plain decimal digits are seconds.
  if (!/^\d+$/.test(value)) {
    throw new EnvironmentVariableError(
      `LEADERBOARD_LOCK_WAIT_SECONDS must be a decimal whole number of seconds (got "${value}")`,
      'LEADERBOARD_LOCK_WAIT_SECONDS',
      'set it to a number of seconds such as 600, or unset it to wait up to an hour',
    );
  }
  return Number(value);
}

function onOrOff(value: string | undefined): boolean {
  if (value === undefined || value === '0') {
    return false;
  }
  if (value !== '1') {
    // Only "1" ever switched this on: "true" silently meant off, which is worse than an error.
    throw new EnvironmentVariableError(
      `LEADERBOARD_ALLOW_PRIVATE_NETWORK must be 1 or unset (got "${value}")`,
      'LEADERBOARD_ALLOW_PRIVATE_NETWORK',
      'set it to 1 to allow a data server on a private or loopback address, or unset it',
    );
  }
  return true;
}

/** Read every variable this project knows from `env`; throws an EnvironmentVariableError naming a bad one. */
export function parseEnvironment(env: RawEnvironment): LeaderboardEnvironment {
  const raw = RawEnvironmentSchema.parse(
    Object.fromEntries(ENVIRONMENT_VARIABLES.map(({ name }) => [name, env[name]])),
  );
  return {
    suite: raw.LEADERBOARD_SUITE ?? DEFAULT_SUITE,
    resultsDirOverride: raw.LEADERBOARD_RESULTS_DIR,
    cacheDir: raw.LEADERBOARD_CACHE_DIR ?? '.cache',
    submissionsDir: raw.LEADERBOARD_SUBMISSIONS_DIR ?? 'submissions',
    lockWaitSeconds: wholeSeconds(raw.LEADERBOARD_LOCK_WAIT_SECONDS),
    zenodoUrl: raw.ZENODO_URL ?? DEFAULT_ZENODO_URL,
    privateDataUrl: raw.LEADERBOARD_PRIVATE_DATA_URL,
    privateDataToken: raw.LEADERBOARD_PRIVATE_DATA_TOKEN,
    allowPrivateNetwork: onOrOff(raw.LEADERBOARD_ALLOW_PRIVATE_NETWORK),
    prAuthorAssociation: raw.PR_AUTHOR_ASSOCIATION ?? 'NONE',
    archiveDir: raw.LEADERBOARD_ARCHIVE_DIR ?? 'results/archive',
    outDir: raw.LEADERBOARD_OUT_DIR ?? './dist',
    astroCacheDir: raw.LEADERBOARD_ASTRO_CACHE_DIR,
    siteUrl: raw.LEADERBOARD_SITE_URL,
    basePath: raw.LEADERBOARD_BASE_PATH ?? '/',
  };
}

/** The results folder of `suite`, relative to the repository root unless absolute. */
export function resultsDirFor(environment: LeaderboardEnvironment, suite: string): string {
  return environment.resultsDirOverride ?? `results/${suite}`;
}
