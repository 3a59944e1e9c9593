/** Number and label formatting used by every page, so the same value always reads the same. */

/** Scores in [0, 1] with three decimals, as the challenge printed them; an en dash when missing. */
export function formatScore(score: number | null | undefined): string {
  return score === null || score === undefined ? '–' : score.toFixed(3);
}

export function formatCoverage(coverage: { done: number; total: number }): string {
  return `${coverage.done}/${coverage.total}`;
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
