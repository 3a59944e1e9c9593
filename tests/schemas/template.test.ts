import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeIssues } from '../../schemas/friendly-errors.ts';
import { SubmissionManifest } from '../../schemas/manifest.ts';
import { manifestJsonSchema } from '../../pipeline/cli/schemas.ts';

const root = join(import.meta.dirname, '..', '..');

describe('submissions/_template/manifest.json', () => {
  it('has exactly the schema keys and fails only on the fields a team must fill in', () => {
    const template: unknown = JSON.parse(
      readFileSync(join(root, 'submissions', '_template', 'manifest.json'), 'utf8'),
    );
    const result = SubmissionManifest.safeParse(template);
    expect(result.success).toBe(false);
    expect(result.error ? describeIssues(result.error) : []).toEqual([
      '/team: must not be empty',
      '/affiliation: must not be empty',
      '/model/name: must not be empty',
      '/model/version: must not be empty',
      '/description: must not be empty',
      '/license: must not be empty',
      '/trainingData/description: must not be empty',
      '/trainingData/availability: must be "public", "not-public" or "unknown": whether every training dataset is publicly available, as far as you can attest',
      '/trainingData/evaluationOverlap: must be "none", "some" or "unknown": whether training used any evaluation dataset of the suite, as far as you can attest',
      '/encoder/sha256: must be 64 lowercase hexadecimal characters (the output of `sha256sum <file>`)',
      '/encoder/sizeBytes: must be the size of the file in bytes (`stat -c %s model.onnx`)',
      '/embeddingDim: must be at least 1',
      '/hopMs: must be greater than 0 (milliseconds between output frames, for example 40)',
    ]);
  });
});

describe('schemas/manifest.schema.json', () => {
  it('is what `npm run pipeline -- schemas` generates from the zod schema', () => {
    expect(readFileSync(join(root, 'schemas', 'manifest.schema.json'), 'utf8')).toBe(
      manifestJsonSchema(),
    );
  });

  it('forbids unknown keys and requires https links, for editors too', () => {
    const schema = JSON.parse(manifestJsonSchema()) as {
      additionalProperties: boolean;
      required: string[];
      properties: { links: { properties: { code: { pattern: string } } } };
    };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(
      expect.arrayContaining([
        'team',
        'encoder',
        'sampleRate',
        'embeddingDim',
        'hopMs',
        'trainingData',
      ]),
    );
    expect(schema.properties.links.properties.code.pattern).toBe('^https:\\/\\/[^\\s]+$');
  });
});
