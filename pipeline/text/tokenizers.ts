/**
 * The WordPiece vocabularies a retrieval task may name. bert-base-uncased is the one X-ARES
 * loads through transformers (only its tokenizer, never its weights); it is downloaded once and
 * pinned by size and sha256. The demo vocabulary is generated from the demo captions' words, which
 * the demo suite owns: its caller passes it in, so text/ never reaches up into suites/.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { downloadPinned } from '../data/download.ts';
import { sha256Bytes } from '../util/hash.ts';
import { WordPieceTokenizer } from './wordpiece.ts';

export type TokenizerId = 'bert-base-uncased' | 'demo-wordpiece';

/** vocab.txt of google-bert/bert-base-uncased (30,522 tokens). */
export const BERT_BASE_UNCASED_VOCABULARY = {
  url: 'https://huggingface.co/google-bert/bert-base-uncased/resolve/main/vocab.txt',
  sha256: '07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3',
  sizeBytes: 231_508,
} as const;

export interface LoadedTokenizer {
  readonly tokenizer: WordPieceTokenizer;
  /** sha256 of the vocabulary text: part of the result's provenance. */
  readonly vocabularySha256: string;
}

export interface TokenizerOptions {
  readonly cacheDir: string;
  /** Replaces the pinned source (tests serve a small vocabulary from 127.0.0.1). */
  readonly source?: { readonly url: string; readonly sha256: string; readonly sizeBytes: number };
  /** The tokens of the generated demo-wordpiece vocabulary (suites/demo/vocabulary.ts). */
  readonly demoVocabulary?: () => readonly string[];
}

export async function loadTokenizer(
  id: TokenizerId,
  options: TokenizerOptions,
): Promise<LoadedTokenizer> {
  if (id === 'demo-wordpiece') {
    if (options.demoVocabulary === undefined) {
      throw new Error('the demo-wordpiece tokenizer needs the demo vocabulary passed in');
    }
    const text = options.demoVocabulary().join('\n') + '\n';
    return { tokenizer: WordPieceTokenizer.fromText(text), vocabularySha256: sha256Bytes(text) };
  }
  const source = options.source ?? BERT_BASE_UNCASED_VOCABULARY;
  const destination = join(options.cacheDir, 'tokenizers', id, `${source.sha256.slice(0, 16)}.txt`);
  await downloadPinned({
    ...source,
    destination,
    allowLoopbackHttp: options.source !== undefined,
  });
  const text = await readFile(destination, 'utf8');
  return { tokenizer: WordPieceTokenizer.fromText(text), vocabularySha256: source.sha256 };
}
