/**
 * The WordPiece vocabulary of the demo captions task: BERT's special tokens, then every caption
 * word, except that words longer than six letters are only present as a stem and a "##" tail,
 * so the demo exercises WordPiece's continuation pieces as bert-base-uncased does.
 */
import { captionWords } from './captions.ts';

export function demoVocabulary(): string[] {
  const tokens = new Set<string>(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']);
  for (const word of captionWords()) {
    if (word.length > 6) {
      tokens.add(word.slice(0, 4));
      tokens.add(`##${word.slice(4)}`);
    } else {
      tokens.add(word);
    }
  }
  return [...tokens];
}
