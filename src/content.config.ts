import { defineCollection } from 'astro:content';
import { z } from 'zod';
import { ArchiveEdition } from '../schemas/archive.ts';
import { Efficiency, Leaderboard } from '../schemas/leaderboard.ts';
import { ProtocolName } from '../schemas/protocols.ts';
import { Slug, TaskId } from '../schemas/common.ts';
import { Provenance, TaskMeasurements, TrackAFold } from '../schemas/result.ts';
import {
  archiveLoader,
  editionsLoader,
  efficiencyLoader,
  leaderboardLoader,
  runsLoader,
  statusLoader,
} from './lib/results-loader.ts';
import { StatusFile } from '../schemas/status.ts';

export const collections = {
  leaderboard: defineCollection({ loader: leaderboardLoader(), schema: Leaderboard }),
  efficiency: defineCollection({ loader: efficiencyLoader(), schema: Efficiency }),
  status: defineCollection({ loader: statusLoader(), schema: StatusFile }),
  runs: defineCollection({
    loader: runsLoader(),
    schema: z.object({
      submission: Slug,
      task: TaskId,
      folds: z.array(TrackAFold),
      provenance: Provenance,
      measurements: TaskMeasurements.nullable(),
    }),
  }),
  archive: defineCollection({ loader: archiveLoader(), schema: ArchiveEdition }),
  editions: defineCollection({
    loader: editionsLoader(),
    schema: z.object({ protocol: ProtocolName, leaderboard: Leaderboard }),
  }),
};
