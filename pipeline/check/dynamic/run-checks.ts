/**
 * Runs the table of dynamic checks on a loaded encoder, in order, and turns each verdict into a
 * report item. Runs inside the checker's child process (see ../worker.ts).
 */
import type { CheckItem, EncoderMeasurements } from '../../../schemas/check-report.ts';
import type { OrtSession } from '../../runtime/ort.ts';
import { DYNAMIC_CHECKS, type CheckContext, type DynamicCheck } from './checks.ts';
import { callEncoder, type CallLimits, type EncoderContract } from './encoder-calls.ts';

export interface DynamicCheckResults {
  readonly items: CheckItem[];
  readonly measurements?: Omit<EncoderMeasurements, 'peakRssBytes' | 'threads' | 'device'>;
}

export async function runDynamicChecks(
  session: OrtSession,
  contract: EncoderContract,
  limits: CallLimits,
  checks: readonly DynamicCheck[] = DYNAMIC_CHECKS,
): Promise<DynamicCheckResults> {
  const context: CheckContext = {
    contract,
    call: (batch) => callEncoder(session, batch, limits),
    xares: undefined,
    frameCounts: [],
    deterministic: false,
    nonFinite: { count: 0, firstOn: '' },
    timing: { seconds: 0, audioSeconds: 0 },
  };
  const items: CheckItem[] = [];
  for (const check of checks) {
    const outcome = await check.run(context);
    items.push({ id: check.id, ...outcome });
    if (outcome.status === 'fail' && check.stopsTheRestOnFailure) {
      return { items };
    }
  }
  const { seconds, audioSeconds } = context.timing;
  return seconds > 0
    ? { items, measurements: { realTimeFactor: audioSeconds / seconds } }
    : { items };
}
