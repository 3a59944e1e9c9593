/**
 * Building blocks shared by every schema. This folder imports nothing but zod, so the
 * pipeline (Node) and the site (Astro/Vite) can both depend on it.
 */
import { z } from 'zod';

/** Folder name of a submission: lowercase kebab-case, also used in URLs. */
export const Slug = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, {
    error:
      'must be 1-64 characters of lowercase letters, digits and single hyphens, starting and ending with a letter or digit (for example "my-team-encoder")',
  })
  .refine((slug) => !slug.includes('--'), { error: 'must not contain "--"' });

/** Task identifier, matching the X-ARES task `name` (for example `esc50`, `gtzan_genre`). */
export const TaskId = z.string().regex(/^[a-z][a-z0-9_]{1,63}$/, {
  error: 'must be 2-64 characters of lowercase letters, digits and underscores',
});

export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, {
  error: 'must be 64 lowercase hexadecimal characters (the output of `sha256sum <file>`)',
});

/**
 * Characters that can reorder or hide text when rendered: C0/C1 controls (except tab and
 * newline), bidirectional overrides and isolates, zero-width characters and the BOM.
 */
const UNSAFE_TEXT =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/u;

/** Free text shown on the site: trimmed, bounded, and free of invisible or reordering characters. */
export const DisplayText = (maxLength: number) =>
  z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(maxLength, { error: `must be at most ${maxLength} characters` })
    .refine((text) => !UNSAFE_TEXT.test(text), {
      error:
        'contains control, zero-width or bidirectional-override characters; remove them (they can disguise text on the site)',
    });

/** An https URL without credentials: the only kind of link the site renders. */
const HTTPS_URL_MESSAGE =
  'must be an https:// URL without user name or password (for example "https://arxiv.org/abs/2501.15302")';
export const HttpsUrl = z
  .string()
  .regex(/^https:\/\/[^\s]+$/, { error: HTTPS_URL_MESSAGE, abort: true })
  .refine(isSafeHttpsUrl, { error: HTTPS_URL_MESSAGE });

export function isSafeHttpsUrl(value: string): boolean {
  if (value !== value.trim() || UNSAFE_TEXT.test(value) || /\s/.test(value)) {
    return false;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (
    url.protocol === 'https:' && url.username === '' && url.password === '' && url.hostname !== ''
  );
}

/** A finite score in [0, 1]; every X-ARES metric is higher-is-better in this range. */
export const UnitScore = z.number().min(0).max(1);

export const Domain = z.enum(['speech', 'sound', 'music']);
export type Domain = z.infer<typeof Domain>;

export const DOMAINS = Domain.options;

/** Evaluation tracks of the challenge: A = trained LayerNorm + Linear head, B = parameter-free kNN. */
export const Track = z.enum(['A', 'B']);
export type Track = z.infer<typeof Track>;
