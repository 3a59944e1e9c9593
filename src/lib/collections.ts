/**
 * The pages' way into the content collections (see content.config.ts): the one leaderboard of
 * this build, and its efficiency figures when the results have them.
 */
import { getEntry } from 'astro:content';
import type { Efficiency, Leaderboard } from '../../schemas/leaderboard.ts';
import type { StatusFile } from '../../schemas/status.ts';

export async function currentLeaderboard(): Promise<Leaderboard> {
  const entry = await getEntry('leaderboard', 'current');
  if (!entry) {
    throw new Error('the leaderboard collection is empty');
  }
  return entry.data;
}

export async function currentEfficiency(): Promise<Efficiency | undefined> {
  return (await getEntry('efficiency', 'current'))?.data;
}

export async function currentStatus(): Promise<StatusFile | undefined> {
  return (await getEntry('status', 'current'))?.data;
}
