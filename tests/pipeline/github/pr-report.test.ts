import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Leaderboard } from '../../../schemas/leaderboard.ts';
import { PrReport } from '../../../schemas/pr-report.ts';
import {
  buildPrReport,
  escapeMarkdown,
  renderPrComment,
} from '../../../pipeline/github/pr-report.ts';

const leaderboard = Leaderboard.parse(
  JSON.parse(
    readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'leaderboard.json'), 'utf8'),
  ),
);
const SHA = 'a'.repeat(40);

function report(message = 'model.onnx: opset 9 is below the supported 13') {
  return buildPrReport({
    pullRequest: 12,
    headSha: SHA,
    submission: 'random-conv',
    check: {
      schemaVersion: 1,
      submission: 'random-conv',
      passed: false,
      checks: [
        { id: 'manifest', status: 'pass', message: 'ok' },
        { id: 'opset', status: 'fail', message, hint: 'export with opset 17' },
      ],
    } as never,
    leaderboard,
  });
}

describe('buildPrReport', () => {
  it("keeps the checker's failures and the submission's demo scores", () => {
    const built = report();
    expect(built.check).toEqual({
      passed: false,
      items: [
        {
          id: 'opset',
          status: 'fail',
          message: 'model.onnx: opset 9 is below the supported 13',
        },
      ],
    });
    const standing = leaderboard.tracks.A.overall.standings.find(
      (entry) => entry.submission === 'random-conv',
    );
    expect(built.averages.A).toBe(standing?.average);
    // The rank is the leaderboard's, the one the site shows.
    expect(built.ranks.A).toEqual({
      rank: standing?.rank,
      best: standing?.rankInterval?.best ?? null,
      worst: standing?.rankInterval?.worst ?? null,
      of: 3,
    });
    expect(built.scores.map((entry) => entry.task)).toEqual(leaderboard.tasks.map((t) => t.id));
  });
});

describe('renderPrComment', () => {
  it('shows the problems and a score table with the averages', () => {
    const comment = renderPrComment(report());
    expect(comment).toContain('### Preliminary results for `random-conv`');
    expect(comment).toContain('**Submission checker: 1 problem.**');
    expect(comment).toContain('| **Weighted average** | **0.590** |');
    expect(comment).toContain(
      '| Rank on the demo board | 3 of 3 (interval 3) | 3 of 3 (interval 3) |',
    );
    expect(comment).toContain('Commit `aaaaaaaaaaaa`');
  });

  it('renders hostile text inert: no markup, links, HTML or mentions', () => {
    const comment = renderPrComment(
      report('<img src=x onerror=alert(1)> [click](https://evil.example) @org/team `x` | y\n# h'),
    );
    const line = comment.split('\n').find((entry) => entry.startsWith('- `opset`')) ?? '';
    for (const active of ['<img', '](', '@org', '| y', '`x`', '# h']) {
      expect(line).not.toContain(active);
    }
    expect(line).toContain('&#60;img src=x onerror=alert&#40;1&#41;&#62;');
    expect(line).toContain('@\u200borg/team');
    expect(comment.split('\n').filter((entry) => entry.startsWith('#'))).toHaveLength(1);
  });

  it('refuses a report that does not match the schema', () => {
    const bad = { ...report(), headSha: 'main' };
    expect(() => PrReport.parse(bad)).toThrow('a full 40-hex commit sha');
    expect(() => PrReport.parse({ ...report(), submission: '../results' })).toThrow();
  });

  it('escapes every markdown and HTML character', () => {
    expect(escapeMarkdown('a*b_c')).toBe('a&#42;b&#95;c');
  });
});
