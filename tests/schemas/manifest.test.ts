import { describe, expect, it } from 'vitest';
import { isSafeHttpsUrl } from '../../schemas/common.ts';
import { parseWithFriendlyErrors, SchemaValidationError } from '../../schemas/friendly-errors.ts';
import { SubmissionManifest, type SubmissionManifestInput } from '../../schemas/manifest.ts';

const valid: SubmissionManifestInput = {
  team: 'Team A',
  affiliation: 'University of Somewhere',
  model: { name: 'TinyEnc', version: '1.0' },
  description: 'A small encoder.',
  links: { paper: 'https://arxiv.org/abs/2501.15302' },
  license: 'MIT',
  trainingData: {
    description: 'AudioSet (public).',
    availability: 'public',
    evaluationOverlap: 'none',
  },
  encoder: { file: 'model.onnx', sha256: 'a'.repeat(64), sizeBytes: 1234 },
  sampleRate: 16000,
  embeddingDim: 768,
  hopMs: 40,
  maxInputSeconds: 10,
};

function issuesOf(input: unknown): readonly string[] {
  try {
    parseWithFriendlyErrors(
      SubmissionManifest,
      input,
      'submissions/x/manifest.json',
      'submission manifest',
    );
  } catch (error) {
    if (error instanceof SchemaValidationError) {
      return error.issues;
    }
    throw error;
  }
  return [];
}

describe('SubmissionManifest', () => {
  it('accepts a complete manifest and fills defaults', () => {
    const parsed = SubmissionManifest.parse(valid);
    expect(parsed.baseline).toBe(false);
    expect(parsed.links).toEqual({ paper: 'https://arxiv.org/abs/2501.15302' });
    expect(SubmissionManifest.parse({ ...valid, links: undefined }).links).toEqual({});
  });

  it('names the file, the field and the fix for each problem', () => {
    const error = (() => {
      try {
        parseWithFriendlyErrors(
          SubmissionManifest,
          { ...valid, hopMs: -1, extra: 1 },
          'submissions/x/manifest.json',
          'submission manifest',
        );
      } catch (caught) {
        return caught as Error;
      }
      throw new Error('expected a validation error');
    })();
    expect(error.message).toMatchInlineSnapshot(`
      "submissions/x/manifest.json: invalid submission manifest
        - /hopMs: must be greater than 0 (milliseconds between output frames, for example 40)
        - /: unknown key "extra"; remove it or fix the spelling"
    `);
  });

  it('rejects unknown keys at every level', () => {
    expect(issuesOf({ ...valid, model: { ...valid.model, size: 3 } })).toEqual([
      '/model: unknown key "size"; remove it or fix the spelling',
    ]);
  });

  it('reports missing required fields', () => {
    const { team: _team, ...withoutTeam } = valid;
    expect(issuesOf(withoutTeam)).toEqual(['/team: is required (expected string)']);
  });

  it('requires sha256 as 64 lowercase hex characters', () => {
    expect(issuesOf({ ...valid, encoder: { ...valid.encoder, sha256: 'ABC' } })).toEqual([
      '/encoder/sha256: must be 64 lowercase hexadecimal characters (the output of `sha256sum <file>`)',
    ]);
  });

  it('keeps model files inside the submission folder', () => {
    for (const file of ['../model.onnx', 'dir/model.onnx', '/etc/passwd', 'model.onnx.gz']) {
      expect(issuesOf({ ...valid, encoder: { ...valid.encoder, file } })[0]).toMatch(
        /^\/encoder\/file: must be a file name/,
      );
    }
  });

  it('accepts an https URL with hash and size instead of a file', () => {
    const remote = { url: 'https://example.org/model.onnx', sha256: 'b'.repeat(64), sizeBytes: 10 };
    expect(SubmissionManifest.parse({ ...valid, encoder: remote }).encoder).toEqual(remote);
  });

  it('rejects text that could disguise itself on the site', () => {
    expect(issuesOf({ ...valid, team: 'evil\u202Eteam' })[0]).toMatch(
      /^\/team: contains control, zero-width or bidirectional-override characters/,
    );
    expect(issuesOf({ ...valid, team: 'x'.repeat(81) })).toEqual([
      '/team: must be at most 80 characters',
    ]);
    expect(issuesOf({ ...valid, team: '   ' })).toEqual(['/team: must not be empty']);
    // A zero-width joiner can hide inside a look-alike name; 5,000 characters can flood a page.
    expect(issuesOf({ ...valid, team: 'Team\u200dA' })[0]).toMatch(
      /^\/team: contains control, zero-width or bidirectional-override characters/,
    );
    expect(issuesOf({ ...valid, team: 'x'.repeat(5000) })).toEqual([
      '/team: must be at most 80 characters',
    ]);
  });

  it('tells a field of the wrong type from a missing one', () => {
    expect(issuesOf({ ...valid, embeddingDim: '768' })).toEqual([
      '/embeddingDim: expected number, got the string "768"',
    ]);
    expect(issuesOf({ ...valid, model: 'TinyEnc' })).toEqual([
      '/model: expected object, got the string "TinyEnc"',
    ]);
    const { embeddingDim: _dropped, ...withoutDim } = valid;
    expect(issuesOf(withoutDim)).toEqual(['/embeddingDim: is required (expected number)']);
  });

  it('requires the sha256 of the encoder file', () => {
    const { sha256: _dropped, ...encoder } = valid.encoder as { sha256: string };
    expect(issuesOf({ ...valid, encoder })).toEqual([
      '/encoder/sha256: is required (expected string)',
    ]);
  });
});

describe('isSafeHttpsUrl', () => {
  it.each([
    ['https://example.org/paper.pdf', true],
    ['https://arxiv.org/abs/2501.15302', true],
    ['http://example.org', false],
    ['javascript:alert(1)', false],
    [' JaVaScRiPt:alert(1)', false],
    ['java\tscript:alert(1)', false],
    ['data:text/html,<script>alert(1)</script>', false],
    ['//evil.com', false],
    ['https://user:pass@example.org', false],
    ['https://example.org/\u202Efdp.exe', false],
    ['https://', false],
  ])('%j -> %s', (url, expected) => {
    expect(isSafeHttpsUrl(url)).toBe(expected);
  });

  it('is what the manifest links accept', () => {
    expect(issuesOf({ ...valid, links: { code: 'http://example.org' } })).toEqual([
      '/links/code: must be an https:// URL without user name or password (for example "https://arxiv.org/abs/2501.15302")',
    ]);
  });
});
