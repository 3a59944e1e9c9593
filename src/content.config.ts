import { defineCollection } from 'astro:content';
import { z } from 'zod';
import { ArchiveEdition } from '../schemas/archive.ts';
import { Efficiency, Leaderboard } from '../schemas/leaderboard.ts';
import { ProtocolName } from '../schemas/protocols.ts';
import { TaskMeasurements, TaskResult } from '../schemas/result.ts';
import {
  archiveLoader,
  editionsLoader,
  efficiencyLoader,
  leaderboardLoader,
  runsLoader,
} from './lib/results-loader.ts';

export const collections = {
  leaderboard: defineCollection({ loader: leaderboardLoader(), schema: Leaderboard }),
  efficiency: defineCollection({ loader: efficiencyLoader(), schema: Efficiency }),
  runs: defineCollection({
    loader: runsLoader(),
    schema: z.object({ result: TaskResult, measurements: TaskMeasurements.nullable() }),
  }),
  archive: defineCollection({ loader: archiveLoader(), schema: ArchiveEdition }),
  editions: defineCollection({
    loader: editionsLoader(),
    schema: z.object({ protocol: ProtocolName, leaderboard: Leaderboard }),
  }),
};
