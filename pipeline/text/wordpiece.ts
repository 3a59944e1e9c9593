/**
 * The bert-base-uncased tokenizer as X-ARES uses it (AutoTokenizer, padding=True, no
 * truncation): BERT's basic tokenisation (clean control characters, space out CJK characters,
 * lower-case, strip accents, split on whitespace and punctuation), then greedy
 * longest-match-first WordPiece with "##" continuations and [UNK] for words it cannot cover or
 * longer than 100 characters, wrapped in [CLS] ... [SEP].
 */

const MAX_CHARACTERS_PER_WORD = 100;

function isWhitespace(character: string): boolean {
  return character === ' ' || character === '\t' || character === '\n' || character === '\r'
    ? true
    : /^\p{Zs}$/u.test(character);
}

function isControl(character: string): boolean {
  if (character === '\t' || character === '\n' || character === '\r') {
    return false;
  }
  return /^[\p{Cc}\p{Cf}]$/u.test(character);
}

function isPunctuation(character: string): boolean {
  const code = character.codePointAt(0) ?? 0;
  // BERT treats every non-alphanumeric ASCII symbol as punctuation, "^" and "$" included.
  if (
    (code >= 33 && code <= 47) ||
    (code >= 58 && code <= 64) ||
    (code >= 91 && code <= 96) ||
    (code >= 123 && code <= 126)
  ) {
    return true;
  }
  return /^\p{P}$/u.test(character);
}

function isCjk(code: number): boolean {
  return (
    (code >= 0x4e00 && code <= 0x9fff) ||
    (code >= 0x3400 && code <= 0x4dbf) ||
    (code >= 0x20000 && code <= 0x2a6df) ||
    (code >= 0x2a700 && code <= 0x2b73f) ||
    (code >= 0x2b740 && code <= 0x2b81f) ||
    (code >= 0x2b820 && code <= 0x2ceaf) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0x2f800 && code <= 0x2fa1f)
  );
}

/** BERT's BasicTokenizer with do_lower_case (accents stripped). */
export function basicTokens(text: string): string[] {
  let cleaned = '';
  for (const character of text) {
    const code = character.codePointAt(0) ?? 0;
    if (code === 0 || code === 0xfffd || isControl(character)) {
      continue;
    }
    if (isWhitespace(character)) {
      cleaned += ' ';
    } else if (isCjk(code)) {
      cleaned += ` ${character} `;
    } else {
      cleaned += character;
    }
  }
  const tokens: string[] = [];
  for (const word of cleaned.split(' ')) {
    if (word === '') {
      continue;
    }
    const folded = word
      .toLowerCase()
      .normalize('NFD')
      .replace(/\p{Mn}/gu, '');
    let current = '';
    for (const character of folded) {
      if (isPunctuation(character)) {
        if (current !== '') {
          tokens.push(current);
        }
        tokens.push(character);
        current = '';
      } else {
        current += character;
      }
    }
    if (current !== '') {
      tokens.push(current);
    }
  }
  return tokens;
}

export class WordPieceTokenizer {
  readonly #ids: ReadonlyMap<string, number>;
  readonly size: number;
  readonly padId: number;
  readonly unknownId: number;
  readonly clsId: number;
  readonly sepId: number;

  /** `vocabulary`: one token per line, the line number being its id (BERT's vocab.txt). */
  constructor(vocabulary: readonly string[]) {
    const ids = new Map<string, number>();
    vocabulary.forEach((token, id) => {
      if (!ids.has(token)) {
        ids.set(token, id);
      }
    });
    const id = (token: string) => {
      const value = ids.get(token);
      if (value === undefined) {
        throw new Error(`the WordPiece vocabulary has no ${token} token`);
      }
      return value;
    };
    this.#ids = ids;
    this.size = vocabulary.length;
    this.padId = id('[PAD]');
    this.unknownId = id('[UNK]');
    this.clsId = id('[CLS]');
    this.sepId = id('[SEP]');
  }

  static fromText(text: string): WordPieceTokenizer {
    const lines = text.split('\n');
    if (lines.at(-1) === '') {
      lines.pop();
    }
    return new WordPieceTokenizer(lines.map((line) => line.replace(/\r$/, '')));
  }

  #wordPieces(word: string, out: number[]): void {
    // Code points, as Python iterates a str.
    const characters = Array.from(word);
    if (characters.length > MAX_CHARACTERS_PER_WORD) {
      out.push(this.unknownId);
      return;
    }
    const pieces: number[] = [];
    let start = 0;
    while (start < characters.length) {
      let end = characters.length;
      let found: number | undefined;
      while (start < end) {
        const piece = (start > 0 ? '##' : '') + characters.slice(start, end).join('');
        found = this.#ids.get(piece);
        if (found !== undefined) {
          break;
        }
        end -= 1;
      }
      if (found === undefined) {
        out.push(this.unknownId);
        return;
      }
      pieces.push(found);
      start = end;
    }
    out.push(...pieces);
  }

  /** Token ids of one text: [CLS] pieces [SEP]. */
  encode(text: string): number[] {
    const ids = [this.clsId];
    for (const token of basicTokens(text)) {
      this.#wordPieces(token, ids);
    }
    ids.push(this.sepId);
    return ids;
  }
}

/** Token id lists padded to the longest with `padId`, and the 0/1 mask of real tokens. */
export function padTokenIds(
  encoded: readonly (readonly number[])[],
  padId: number,
): { ids: BigInt64Array; mask: Float32Array; length: number } {
  const length = Math.max(...encoded.map((tokens) => tokens.length));
  const ids = new BigInt64Array(encoded.length * length).fill(BigInt(padId));
  const mask = new Float32Array(encoded.length * length);
  encoded.forEach((tokens, i) => {
    tokens.forEach((token, j) => {
      ids[i * length + j] = BigInt(token);
      mask[i * length + j] = 1;
    });
  });
  return { ids, mask, length };
}

/**
 * The distinct token ids of a padded batch, ascending, and for every position the index of its id
 * among them: `rows[slots[i]] === ids[i]`.
 */
export function distinctTokens(ids: BigInt64Array): { rows: BigInt64Array; slots: BigInt64Array } {
  const rows = BigInt64Array.from(new Set(ids)).sort();
  const slotOf = new Map(Array.from(rows, (id, slot) => [id, BigInt(slot)]));
  return { rows, slots: BigInt64Array.from(ids, (id) => slotOf.get(id) ?? 0n) };
}
