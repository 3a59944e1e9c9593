/**
 * The flags beside a model name: the baseline badge, and a data flag when what the team attests
 * about its training data falls short of the ICME 2025 rule (public data, no evaluation overlap).
 */
import type { LeaderboardSubmission } from '../../schemas/leaderboard.ts';

/** A flag next to a model name. */
export interface Marker {
  readonly id: 'baseline' | 'data';
  readonly label: string;
  readonly title: string;
}

/** The baseline badge and, where the attestations fall short of public data, the data flag. */
export function markersOf(submission: LeaderboardSubmission): Marker[] {
  const markers: Marker[] = [];
  if (submission.baseline) {
    markers.push({
      id: 'baseline',
      label: 'baseline',
      title: 'A reference system provided by the organisers',
    });
  }
  if (!isAttestedClean(submission)) {
    markers.push({ id: 'data', label: 'data?', title: attestationText(submission) });
  }
  return markers;
}

/** ICME 2025 accepted only encoders trained on public data that excludes the evaluation data. */
export function isAttestedClean(submission: LeaderboardSubmission): boolean {
  return (
    submission.trainingDataAvailability === 'public' && submission.evaluationDataOverlap === 'none'
  );
}

export function attestationText(submission: LeaderboardSubmission): string {
  const availability = {
    public: 'every training dataset is public',
    'not-public': 'some training data is not public',
    unknown: 'whether the training data is public is unknown',
  }[submission.trainingDataAvailability];
  const overlap = {
    none: 'no evaluation dataset was used in training',
    some: 'some evaluation data was used in training',
    unknown: 'overlap with the evaluation data is unknown',
  }[submission.evaluationDataOverlap];
  return `The team attests: ${availability}; ${overlap}.`;
}
