/** Number and label formatting used by every page, so the same value always reads the same. */

/** Scores in [0, 1] with three decimals, as the challenge printed them; an en dash when missing. */
export function formatScore(score: number | null | undefined): string {
  return score === null || score === undefined ? '–' : score.toFixed(3);
}

/** A rank as the tables print it: "=2" when shared, a dash when the entry is not ranked. */
export function formatRank(rank: number | null, shared: boolean): string {
  return rank === null ? '–' : `${shared ? '=' : ''}${rank}`;
}

/** A rank interval: "2–6", or "1" when it is a single rank. */
export function formatRankInterval(interval: { best: number; worst: number }): string {
  return interval.best === interval.worst
    ? `${interval.best}`
    : `${interval.best}–${interval.worst}`;
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * A pipeline commit as stored in provenance, shortened to 12 hex digits with its "+dirty" marker
 * kept: a result computed from uncommitted changes must never look like one from a clean commit.
 */
export function formatCommit(commit: string): string {
  const dirty = commit.endsWith('+dirty');
  const sha = dirty ? commit.slice(0, -'+dirty'.length) : commit;
  return `${/^[0-9a-f]{13,}$/.test(sha) ? sha.slice(0, 12) : sha}${dirty ? '+dirty' : ''}`;
}

/** A 95% interval as "low–high" with three decimals. */
export function formatInterval(interval: { low: number; high: number }): string {
  return `${interval.low.toFixed(3)}–${interval.high.toFixed(3)}`;
}

/** Parameter counts with a thousands or millions suffix ("24.1M", "9.2k", "512"). */
export function formatParameters(count: number | null | undefined): string {
  if (count === null || count === undefined) {
    return '–';
  }
  if (count >= 1e9) {
    return `${(count / 1e9).toFixed(1)}B`;
  }
  if (count >= 1e6) {
    return `${(count / 1e6).toFixed(1)}M`;
  }
  if (count >= 1e3) {
    return `${(count / 1e3).toFixed(1)}k`;
  }
  return String(count);
}

/** Real-time factor as a multiple ("733×"), one decimal below 10. */
export function formatRealTimeFactor(factor: number | null | undefined): string {
  if (factor === null || factor === undefined) {
    return '–';
  }
  return factor < 10 ? `${factor.toFixed(1)}×` : `${Math.round(factor).toLocaleString('en')}×`;
}

/** Bytes in MiB or GiB. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) {
    return '–';
  }
  return bytes >= 2 ** 30
    ? `${(bytes / 2 ** 30).toFixed(1)} GiB`
    : `${Math.round(bytes / 2 ** 20).toLocaleString('en')} MiB`;
}
