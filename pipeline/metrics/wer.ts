/**
 * Word error rate as X-ARES computes it with jiwer over the whole test set: references and
 * hypotheses lower-cased (the only normalisation), split on whitespace, and
 * WER = (substitutions + deletions + insertions) / reference words, summed over utterances.
 * The reported score is iWER = max(0, 1 - WER).
 */

/** Levenshtein distance between two word sequences. */
export function wordEditDistance(
  reference: readonly string[],
  hypothesis: readonly string[],
): number {
  let previous = Array.from({ length: hypothesis.length + 1 }, (_, j) => j);
  for (let i = 1; i <= reference.length; i++) {
    const current = [i];
    for (let j = 1; j <= hypothesis.length; j++) {
      const substitution =
        (previous[j - 1] as number) + (reference[i - 1] === hypothesis[j - 1] ? 0 : 1);
      current.push(
        Math.min(substitution, (previous[j] as number) + 1, (current[j - 1] as number) + 1),
      );
    }
    previous = current;
  }
  return previous[hypothesis.length] as number;
}

export function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/\s+/)
    .filter((word) => word !== '');
}

export interface WerCounts {
  readonly errors: number;
  readonly referenceWords: number;
}

export function werCounts(references: readonly string[], hypotheses: readonly string[]): WerCounts {
  if (references.length !== hypotheses.length) {
    throw new RangeError(
      `WER: ${references.length} references but ${hypotheses.length} hypotheses`,
    );
  }
  let errors = 0;
  let referenceWords = 0;
  references.forEach((reference, i) => {
    const ref = words(reference);
    errors += wordEditDistance(ref, words(hypotheses[i] ?? ''));
    referenceWords += ref.length;
  });
  return { errors, referenceWords };
}

export function inverseWer(counts: WerCounts): number {
  if (counts.referenceWords === 0) {
    throw new RangeError('WER of an empty reference set is undefined');
  }
  return Math.max(0, 1 - counts.errors / counts.referenceWords);
}
