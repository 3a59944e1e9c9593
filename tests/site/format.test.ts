import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatCommit,
  formatCount,
  formatDifference,
  formatInterval,
  formatParameters,
  formatPercent,
  formatRealTimeFactor,
  formatScore,
  formatScoreGap,
  formatSeconds,
} from '../../src/lib/format.ts';
import { BEATS_LEVEL, INTERVAL_LEVEL } from '../../src/lib/protocol-text.ts';

describe('formatting', () => {
  it('prints scores with three decimals like the challenge page, and a dash for missing', () => {
    expect([formatScore(1), formatScore(0.86), formatScore(0), formatScore(null)]).toEqual([
      '1.000',
      '0.860',
      '0.000',
      '–',
    ]);
  });

  it('shortens a commit to 12 digits and keeps the +dirty marker', () => {
    const sha = '3782490a1b2c3d4e5f60718293a4b5c6d7e8f901';
    expect([formatCommit(sha), formatCommit(`${sha}+dirty`), formatCommit('unknown')]).toEqual([
      '3782490a1b2c',
      '3782490a1b2c+dirty',
      'unknown',
    ]);
  });

  it('prints an interval as low–high', () => {
    expect(formatInterval({ low: 0.4521, high: 0.5299 })).toBe('0.452–0.530');
  });

  it('prints parameter counts with k, M and B suffixes', () => {
    expect([0, 512, 9_216, 173_677, 24_013_318, 1_500_000_000, null].map(formatParameters)).toEqual(
      ['0', '512', '9.2k', '173.7k', '24.0M', '1.5B', '–'],
    );
  });

  it('prints real-time factors as multiples, one decimal below 10', () => {
    expect([0.42, 9.94, 118.55, 2_733.2, null].map(formatRealTimeFactor)).toEqual([
      '0.4×',
      '9.9×',
      '119×',
      '2,733×',
      '–',
    ]);
  });

  it('prints memory in MiB below 1 GiB and in GiB above', () => {
    expect([187_916_288, 2 ** 30, 3.5 * 2 ** 30, null].map(formatBytes)).toEqual([
      '179 MiB',
      '1.0 GiB',
      '3.5 GiB',
      '–',
    ]);
  });

  it('prints a signed score difference with three decimals and a true minus sign', () => {
    expect([
      formatDifference(0.0123),
      formatDifference(-0.0123),
      formatDifference(0),
      formatDifference(null),
    ]).toEqual(['+0.012', '−0.012', '±0.000', '']);
  });

  it('prints the gap between a recomputed and a printed score with a fourth decimal', () => {
    expect([formatScoreGap(0.81234, 0.812), formatScoreGap(0.7, 0.75)]).toEqual([
      '0.0003',
      '0.0500',
    ]);
  });

  it('prints counts with thousands separators and seconds with the decimals asked for', () => {
    expect([formatCount(16000), formatCount(512), formatCount(1234567)]).toEqual([
      '16,000',
      '512',
      '1,234,567',
    ]);
    expect([formatSeconds(1234.4, 0), formatSeconds(12.34, 1)]).toEqual(['1234 s', '12.3 s']);
  });

  it('prints protocol percentages with the decimals they have, as the site quotes them', () => {
    expect([formatPercent(95), formatPercent(97.5)]).toEqual(['95%', '97.5%']);
    // The site's text reads these from schemas/protocols.ts, the constants the pipeline uses.
    expect([INTERVAL_LEVEL, BEATS_LEVEL]).toEqual(['95%', '97.5%']);
  });
});
