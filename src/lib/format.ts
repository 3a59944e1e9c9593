/** Number and label formatting used by every page, so the same value always reads the same. */

/** Scores in [0, 1] with three decimals, as the challenge printed them; an en dash when missing. */
export function formatScore(score: number | null | undefined): string {
  return score === null || score === undefined ? '–' : score.toFixed(3);
}

/**
 * A signed difference of two scores with three decimals, like the scores: "+0.012", "−0.012"
 * (a minus sign, not a hyphen), "±0.000" for none; empty when there is nothing to compare.
 */
export function formatDifference(difference: number | null): string {
  if (difference === null) {
    return '';
  }
  const text = Math.abs(difference).toFixed(3);
  return difference > 0 ? `+${text}` : difference < 0 ? `−${text}` : `±${text}`;
}

/**
 * How far a recomputed average is from the printed one, with four decimals: printed scores have
 * three, so a gap within their rounding needs the fourth to show at all.
 */
export function formatScoreGap(recomputed: number, printed: number): string {
  return Math.abs(recomputed - printed).toFixed(4);
}

/** A count with thousands separators ("16,000"), the same in every locale the site is built in. */
export function formatCount(count: number): string {
  return count.toLocaleString('en');
}

/** A duration in seconds with the given decimals and its unit ("12.3 s"). */
export function formatSeconds(seconds: number, decimals: number): string {
  return `${seconds.toFixed(decimals)} s`;
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

/** A percentage as the site's text writes it, with the decimals it has: 95 is "95%", 97.5 is "97.5%". */
export function formatPercent(percent: number): string {
  return `${percent}%`;
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
