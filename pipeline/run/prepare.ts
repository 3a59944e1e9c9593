/**
 * The one step before planning that writes anything: the bundled example submissions' models
 * are generated (they are not committed), so every command that scans the submissions folder
 * (evaluate, plan, merge) sees them.
 */
import { ensureExampleModels } from '../example-encoders/examples.ts';
import { planEvaluation, type EvaluationPlan, type PlanOptions } from './plan.ts';

export async function prepareAndPlan(options: PlanOptions): Promise<EvaluationPlan> {
  await ensureExampleModels(options.submissionsDir, options.logger);
  return planEvaluation(options);
}
