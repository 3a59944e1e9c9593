import { defineCollection } from 'astro:content';
import { Leaderboard } from '../schemas/leaderboard.ts';
import { leaderboardLoader } from './lib/results-loader.ts';

export const collections = {
  leaderboard: defineCollection({ loader: leaderboardLoader(), schema: Leaderboard }),
};
