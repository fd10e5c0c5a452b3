// The explorer's options and result (the contract with the debug adapter and the editor:
// notes/contracts.md).
import type { Finding } from '../sim/state';
import type { ExpectResult } from '../run';

export type ExploreStrategy = 'exhaustive' | 'bounded' | 'pct' | 'random';

export interface ExploreProgress {
  states: number;
  schedules: number;
  depth: number;
  statesPerSecond: number;
  elapsedMs: number;
}

export interface ExploreOptions {
  strategy: ExploreStrategy;
  /** bounded: the largest number of preemptions (interrupt arrivals count as one); default 2 */
  preemptions?: number;
  seed?: number;
  /** pct: the bug depth d (d - 1 priority change points); default 3 */
  depth?: number;
  /** random, pct: how many runs; default 100 */
  schedules?: number;
  timeLimitMs?: number;
  /** the cap on stored states (memory); default 2,000,000 */
  maxStates?: number;
  /** the longest run; default DEFAULT_MAX_STEPS */
  maxSteps?: number;
  /** worker threads (exhaustive and bounded split their search; random and pct their runs) */
  jobs?: number;
  /** jobs > 1: how long the search runs on the calling thread before it is split over
   * worker threads (default 500 ms: a small search is over before threads would start); 0: at once */
  parallelAfterMs?: number;
  /** the index-th (1-based) of count disjoint parts of the search */
  shard?: { index: number; count: number };
  stopOnFirst?: boolean;
  /** shrink every finding's schedule (default true) */
  shrink?: boolean;
  /** turn detectors off (benchmarks of the bare search); default on */
  detectors?: boolean;
  onProgress?: (p: ExploreProgress) => void;
  /** polled often: true stops the search (cancellation), as a limit does */
  shouldStop?: () => boolean;
  /** exhaustive: the partial-order reduction (sleep sets and local-step merging); default on */
  reduction?: boolean;
  /** exhaustive (with the reduction): reads of the zone cells boot sets and the allocator
   * only reads (zone_start_pfn, spanned_pages, per_cpu_pageset...) commute with every step;
   * checked: if a context writes one, the search runs again with this false. Default true */
  bootConstants?: boolean;
  /** tests: check the exhaustive search's incremental state hash against a full one at every state */
  verifyKeys?: boolean;
  /** collect the keys of the distinct states (tests, merging workers) */
  collectStates?: boolean;
}

export interface SearchSummary {
  strategy: ExploreStrategy;
  /** runs explored to their end or to an already explored state */
  schedules: number;
  /** distinct states stored (exhaustive, bounded) or visited (random, pct: one per step) */
  states: number;
  /** every behaviour was explored (exhaustive/bounded with no limit hit) */
  complete: boolean;
  seconds: number;
  /** what stopped the search early: 'time-limit', 'max-states', 'max-steps', 'stopped', 'first-finding' */
  limit?: string;
  message?: string;
  preemptions?: number;
  shard?: { index: number; count: number };
  jobs?: number;
  /** the longest run in steps */
  maxDepth?: number;
}

export interface ExploreResult {
  findings: Finding[];
  search: SearchSummary;
  expectations: ExpectResult[];
  ok: boolean;
  /** with collectStates: the distinct state keys */
  stateKeys?: number[];
}
