/**
 * CTC by brute force, for tests: P(l | x) is the sum over every frame labelling pi in
 * {0..V-1}^T that collapses to l (merge repeats, then drop blanks) of prod_t softmax(z_t)(pi_t).
 * Exponential in T, so only for a handful of frames; independent of any recursion.
 */
export function collapse(path: readonly number[]): number[] {
  const out: number[] = [];
  let previous = -1;
  for (const symbol of path) {
    if (symbol !== previous && symbol !== 0) {
      out.push(symbol);
    }
    previous = symbol;
  }
  return out;
}

function softmaxRows(logits: readonly number[][]): number[][] {
  return logits.map((row) => {
    const max = Math.max(...row);
    const exps = row.map((v) => Math.exp(v - max));
    const sum = exps.reduce((a, b) => a + b, 0);
    return exps.map((v) => v / sum);
  });
}

/** -log P(label | logits) for logits [T][V]; Infinity when no path exists. */
export function bruteForceCtcLoss(logits: readonly number[][], label: readonly number[]): number {
  const probabilities = softmaxRows(logits);
  const frames = logits.length;
  const vocabulary = logits[0]?.length ?? 0;
  let total = 0;
  const path = new Array<number>(frames).fill(0);
  const visit = (t: number, product: number) => {
    if (t === frames) {
      const collapsed = collapse(path);
      if (collapsed.length === label.length && collapsed.every((v, i) => v === label[i])) {
        total += product;
      }
      return;
    }
    for (let k = 0; k < vocabulary; k++) {
      path[t] = k;
      visit(t + 1, product * (probabilities[t]?.[k] as number));
    }
  };
  visit(0, 1);
  return -Math.log(total);
}
