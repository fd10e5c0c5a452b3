// The explorer's public face (re-exported by src/engine/index.ts).
import type { CheckedProgram } from '../lang/load';
import { exploreSync } from './explore';
import { exploreParallel } from './workers';
import type { ExploreOptions, ExploreResult } from './types';

export { exploreSync, DEFAULT_PREEMPTIONS, DEFAULT_SCHEDULES, DEFAULT_PCT_DEPTH, mergeFindings } from './explore';
export { shrinkFinding, replayFinding } from './shrink';
export { findingKey } from './findingSet';
export { DEFAULT_MAX_STATES } from './store';
export type { ExploreOptions, ExploreResult, ExploreProgress, ExploreStrategy, SearchSummary } from './types';

/** jobs 1 (the default): the result, on this thread; jobs > 1: a Promise of it, from worker threads. */
export function explore(program: CheckedProgram, options: ExploreOptions): ExploreResult | Promise<ExploreResult> {
  if ((options.jobs ?? 1) > 1) return exploreParallel(program, options);
  return exploreSync(program, options);
}
