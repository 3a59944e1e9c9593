import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoVocabulary } from '../../../pipeline/suites/demo/vocabulary.ts';
import { loadTokenizer } from '../../../pipeline/text/tokenizers.ts';
import {
  basicTokens,
  distinctTokens,
  padTokenIds,
  WordPieceTokenizer,
} from '../../../pipeline/text/wordpiece.ts';
import { sha256Bytes } from '../../../pipeline/util/hash.ts';
import { serveDirectory, type StaticServer } from '../../support/static-server.ts';

// A vocabulary in the layout of BERT's vocab.txt: the line number is the id.
const VOCABULARY = [
  '[PAD]',
  '[UNK]',
  '[CLS]',
  '[SEP]',
  'un',
  '##aff',
  '##able',
  'a',
  'dog',
  'barks',
  ',',
  '!',
  'cafe',
  '日',
  'run',
  '##ning',
  '##n',
];

describe('basicTokens (BERT BasicTokenizer, uncased)', () => {
  it('lower-cases, strips accents and splits punctuation into tokens', () => {
    expect(basicTokens('A Dog, barks!')).toEqual(['a', 'dog', ',', 'barks', '!']);
    expect(basicTokens('Café  NAÏVE')).toEqual(['cafe', 'naive']);
    // ASCII symbols count as punctuation even where Unicode says otherwise ("$", "^", "`").
    expect(basicTokens('a$b^c`d')).toEqual(['a', '$', 'b', '^', 'c', '`', 'd']);
  });

  it('drops control characters, maps other whitespace to spaces and spaces out CJK', () => {
    expect(basicTokens('a\u0000b\u200bc\td\u00a0e')).toEqual(['abc', 'd', 'e']);
    expect(basicTokens('日本dog')).toEqual(['日', '本', 'dog']);
  });
});

describe('WordPieceTokenizer', () => {
  const tokenizer = new WordPieceTokenizer(VOCABULARY);

  it('wraps greedy longest-match pieces in [CLS] and [SEP]', () => {
    // The BERT paper's example: unaffable -> un ##aff ##able.
    expect(tokenizer.encode('Unaffable dog!')).toEqual([2, 4, 5, 6, 8, 11, 3]);
    // Longest match first: "running" is run + ##ning, not run + ##n + ...
    expect(tokenizer.encode('running')).toEqual([2, 14, 15, 3]);
  });

  it('maps a word it cannot cover completely, or a very long one, to a single [UNK]', () => {
    expect(tokenizer.encode('unafx dog')).toEqual([2, 1, 8, 3]);
    expect(tokenizer.encode('a'.repeat(101))).toEqual([2, 1, 3]);
    expect(tokenizer.encode('日本')).toEqual([2, 13, 1, 3]);
  });

  it('pads a batch to its longest text with [PAD] and masks the padding', () => {
    const { ids, mask, length } = padTokenIds(
      ['a dog', 'dog'].map((text) => tokenizer.encode(text)),
      tokenizer.padId,
    );
    expect(length).toBe(4);
    expect(Array.from(ids, Number)).toEqual([2, 7, 8, 3, 2, 8, 3, 0]);
    expect(Array.from(mask)).toEqual([1, 1, 1, 1, 1, 1, 1, 0]);
  });

  it('lists the distinct ids of a batch in order, with the slot of every position', () => {
    const { rows, slots } = distinctTokens(BigInt64Array.of(2n, 7n, 8n, 3n, 2n, 8n, 3n, 0n));
    expect(Array.from(rows, Number)).toEqual([0, 2, 3, 7, 8]);
    expect(Array.from(slots, Number)).toEqual([1, 3, 4, 2, 1, 4, 2, 0]);
  });

  it('reads vocab.txt text, one token per line', () => {
    const fromText = WordPieceTokenizer.fromText(VOCABULARY.join('\r\n') + '\r\n');
    expect(fromText.size).toBe(VOCABULARY.length);
    expect(fromText.encode('a dog')).toEqual([2, 7, 8, 3]);
  });
});

describe('loadTokenizer', () => {
  let dir: string;
  let server: StaticServer;
  const text = VOCABULARY.join('\n') + '\n';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tokenizer-'));
    await writeFile(join(dir, 'vocab.txt'), text);
    server = await serveDirectory(dir);
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('downloads the vocabulary once, pinned by sha256', async () => {
    const source = {
      url: `${server.url}/vocab.txt`,
      sha256: sha256Bytes(text),
      sizeBytes: Buffer.byteLength(text),
    };
    const cacheDir = join(dir, 'cache');
    const loaded = await loadTokenizer('bert-base-uncased', { cacheDir, source });
    expect(loaded.vocabularySha256).toBe(source.sha256);
    expect(loaded.tokenizer.encode('a dog')).toEqual([2, 7, 8, 3]);
    // A second load reads the verified copy even when the source is gone.
    const again = await loadTokenizer('bert-base-uncased', {
      cacheDir,
      source: { ...source, url: `${server.url}/missing.txt` },
    });
    expect(again.tokenizer.size).toBe(VOCABULARY.length);
  });

  it('refuses a vocabulary whose hash is not the pinned one', async () => {
    await expect(
      loadTokenizer('bert-base-uncased', {
        cacheDir: join(dir, 'other-cache'),
        source: {
          url: `${server.url}/vocab.txt`,
          sha256: '0'.repeat(64),
          sizeBytes: Buffer.byteLength(text),
        },
      }),
    ).rejects.toThrow(/sha256 mismatch/);
  });

  it('refuses the demo tokenizer when no demo vocabulary is passed in (text/ does not own it)', async () => {
    await expect(loadTokenizer('demo-wordpiece', { cacheDir: dir })).rejects.toThrow(
      /needs the demo vocabulary/,
    );
  });

  it('builds the demo vocabulary so every demo caption word is covered', async () => {
    const { tokenizer } = await loadTokenizer('demo-wordpiece', { cacheDir: dir, demoVocabulary });
    const ids = tokenizer.encode('a small bell, followed by an emergency siren');
    expect(ids).not.toContain(tokenizer.unknownId);
    // Eight words and a comma; "followed" and "emergency" are longer than six letters, so each
    // comes as a stem and a ## tail: 9 + 2 pieces between [CLS] and [SEP].
    expect(ids.length).toBe(2 + 11);
  });
});
