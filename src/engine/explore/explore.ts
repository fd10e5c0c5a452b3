// explore(): the search behind `lockstep check --explore`, the debugger's "explore"
// continue and the editor's Explore command. Synchronous on the calling thread
// (exploreSync); with jobs > 1 the parts run on worker threads (workers.ts) and a Promise
// comes back.
import type { CheckedProgram } from '../lang/load';
import { DEFAULT_MAX_STEPS, judge } from '../run';
import type { Finding } from '../sim/state';
import { Dfs, DfsOptions } from './exhaustive';
import { BoundedSearch } from './bounded';
import { Sampler } from './sampling';
import { StateStore, DEFAULT_MAX_STATES } from './store';
import { Pacer } from './progress';
import { spineFrontier, blockOf } from './shard';
import { shrinkFinding } from './shrink';
import { findingKey } from './findingSet';
import type { ExploreOptions, ExploreResult, SearchSummary } from './types';

export const DEFAULT_PREEMPTIONS = 2;
export const DEFAULT_SCHEDULES = 100;
export const DEFAULT_PCT_DEPTH = 3;

export function validateOptions(o: ExploreOptions): string | undefined {
  if (!['exhaustive', 'bounded', 'pct', 'random'].includes(o.strategy)) return `unknown strategy '${o.strategy}': expected exhaustive, bounded, pct or random`;
  if (o.shard) {
    const { index, count } = o.shard;
    if (!Number.isInteger(index) || !Number.isInteger(count) || count < 1 || index < 1 || index > count) return `shard ${index}/${count}: expected I/N with 1 <= I <= N`;
  }
  if (o.jobs !== undefined && (!Number.isInteger(o.jobs) || o.jobs < 1)) return `jobs must be a positive integer, not ${o.jobs}`;
  return undefined;
}

/** The whole search on this thread. */
export function exploreSync(program: CheckedProgram, o: ExploreOptions): ExploreResult {
  const bad = validateOptions(o);
  if (bad) throw new Error(bad);
  const maxSteps = o.maxSteps ?? DEFAULT_MAX_STEPS;
  const maxStates = o.maxStates ?? DEFAULT_MAX_STATES;
  const detectors = o.detectors !== false;
  const stopOnFirst = !!o.stopOnFirst;
  const t0 = Date.now();
  let sample = () => ({ states: 0, schedules: 0, depth: 0 });
  const pacer = new Pacer(o.timeLimitMs, o.shouldStop, o.onProgress, () => sample());
  let findings: Finding[];
  let search: SearchSummary;
  let stateKeys: number[] | undefined;

  if (o.strategy === 'exhaustive') {
    const reduction = o.reduction !== false;
    const dfsOptions: DfsOptions = { maxSteps, detectors, reduction, stopOnFirst, verifyKeys: o.verifyKeys, assumeBootConstants: reduction && o.bootConstants !== false };
    const store = new StateStore(maxStates);
    const dfs = new Dfs(program, store, dfsOptions, pacer);
    sample = () => ({ states: store.size, schedules: dfs.schedules, depth: dfs.depth });
    let complete: boolean;
    let extra: { states: number; schedules: number; hitMaxSteps?: boolean } = { states: 0, schedules: 0 };
    const upperFindings: Finding[] = [];
    if (o.shard && o.shard.count > 1) {
      const f = spineFrontier(program, dfsOptions, pacer);
      // every part walks the spine; part 1 owns it (its states, schedules and findings), so
      // the parts' counts add up to the whole search's and a finding is reported by its owner
      if (o.shard.index === 1) {
        upperFindings.push(...f.top.findings.list());
        extra = { states: f.top.store.size, schedules: f.top.schedules, hitMaxSteps: f.top.hitMaxSteps };
      }
      complete = !pacer.limit;
      for (const item of blockOf(f.items, o.shard.index, o.shard.count)) {
        if (!complete) break;
        complete = dfs.run(item) && !pacer.limit;
      }
      if (o.collectStates) stateKeys = [...new Set([...(o.shard.index === 1 ? f.top.store.keys() : []), ...store.keys()])];
      if (f.top.constantWritten) return exploreSync(program, { ...o, bootConstants: false });
    } else {
      complete = dfs.run({ prefix: [], sleep: [] }) && !pacer.limit;
      if (o.collectStates) stateKeys = [...store.keys()];
    }
    // a context wrote a zone constant the search assumed unchanged: search again without
    if (dfs.constantWritten) return exploreSync(program, { ...o, bootConstants: false });
    if (extra.hitMaxSteps) dfs.hitMaxSteps = true;
    const limit = pacer.limit ?? (dfs.hitMaxSteps ? 'max-steps' : undefined);
    findings = mergeFindings([upperFindings, dfs.findings.list()]);
    search = {
      strategy: 'exhaustive', schedules: dfs.schedules + extra.schedules, states: store.size + extra.states,
      complete: complete && !dfs.hitMaxSteps, seconds: 0, limit, maxDepth: dfs.maxDepth,
    };
  } else if (o.strategy === 'bounded') {
    const bound = o.preemptions ?? DEFAULT_PREEMPTIONS;
    const b = new BoundedSearch(program, { maxSteps, detectors, stopOnFirst, maxStates, shard: o.shard }, pacer);
    sample = () => ({ states: b.states, schedules: b.schedules, depth: b.depth });
    let ok = true;
    let k = 0;
    for (; k <= bound && ok; k++) {
      ok = b.run(k);
      // nothing was cut by this bound: a larger one explores nothing more
      if (ok && !b.cut) { k++; break; }
    }
    const limit = pacer.limit ?? (b.hitMaxSteps ? 'max-steps' : undefined);
    findings = b.findings.list();
    // complete: the bound did not cut anything, so every behaviour was explored
    search = { strategy: 'bounded', schedules: b.schedules, states: b.states, complete: ok && !b.cut && !b.hitMaxSteps, seconds: 0, limit, preemptions: k - 1, maxDepth: b.maxDepth };
    if (o.collectStates) stateKeys = [...b.distinct];
  } else {
    const s = new Sampler(program, {
      strategy: o.strategy, runs: o.schedules ?? DEFAULT_SCHEDULES, seed: o.seed ?? 1, depth: o.depth ?? DEFAULT_PCT_DEPTH,
      maxSteps, detectors, stopOnFirst, maxStates, shard: o.shard,
    }, pacer);
    sample = () => ({ states: s.states, schedules: s.schedules, depth: s.depth });
    s.run();
    const limit = pacer.limit ?? (s.hitMaxSteps ? 'max-steps' : undefined);
    findings = s.findings.list();
    search = { strategy: o.strategy, schedules: s.schedules, states: s.states, complete: false, seconds: 0, limit, maxDepth: s.maxDepth };
    if (o.collectStates) stateKeys = [...s.distinct];
  }
  if (search.limit === 'first-finding') search.complete = false;
  if (search.limit === 'max-states') search.message = maxStatesMessage(program, search, maxStates, (Date.now() - t0) / 1000);
  if (search.limit === 'max-steps') search.message = `a run reached ${maxSteps} steps: the step limit was reached (raise it with --max-steps N); a run this long may also be a loop in the model`;
  if (search.limit === 'time-limit') search.message = `stopped by the time limit after ${((Date.now() - t0) / 1000).toFixed(1)} s`;
  if (o.shard) search.shard = o.shard;
  if (o.shrink !== false) findings = shrinkAll(program, findings, maxSteps);
  search.seconds = (Date.now() - t0) / 1000;
  return { findings, search, ...judge(program, findings), ...(stateKeys ? { stateKeys } : {}) };
}

/**
 * What a search stopped by the state cap explored, and how to narrow it. Where the states
 * come from (measured on v6.2, 2 CPUs each with an interrupt, a remote drain): the
 * positions of the tasks and handlers multiply (a state per combination of how far each
 * has got and which interrupts have arrived); detector state adds about a fifth, and the
 * sleep sets cut the orders explored, not the states. So the way out is fewer things
 * interleaving, or a bound on preemptions, not a bigger cap alone.
 */
export function maxStatesMessage(program: CheckedProgram, s: SearchSummary, maxStates: number, seconds: number): string {
  const blocks = program.scenario.blocks;
  const tasks = blocks.filter(b => b.kind === 'task').length;
  const irqs = blocks.filter(b => b.kind === 'irq').length;
  const cpus = new Set(blocks.map(b => b.cpu)).size;
  const mb = Math.round((maxStates * 50) / 1e6);
  return [
    `stopped after storing ${maxStates} states (--max-states): the search is incomplete (${seconds.toFixed(1)} s${mb >= 1 ? `; the cap holds about ${mb} MB` : ''}).`,
    `Explored: ${s.schedules.toLocaleString('en')} schedules, runs up to ${s.maxDepth ?? 0} steps deep.`,
    `The states multiply with what interleaves: ${tasks} task(s) and ${irqs} interrupt block(s) on ${cpus} CPU(s).`,
    s.strategy === 'bounded'
      ? `To narrow it: a lower --preemptions (this search had reached ${s.preemptions ?? 0});`
      : `To narrow it: --explore bounded --preemptions 2 (every schedule with at most 2 preemptions, the usual depth of these bugs), or 1;`,
    `fewer CPUs or interrupt blocks in the scenario (one remote CPU, one interrupt); or raise --max-states N.`,
  ].join(' ');
}

/** Shrinks every finding within one budget for all (3 s, at least 200 ms each). */
export function shrinkAll(program: CheckedProgram, findings: Finding[], maxSteps: number): Finding[] {
  const each = Math.max(200, Math.floor(3000 / Math.max(1, findings.length)));
  return findings.map(f => shrinkFinding(program, f, { maxSteps, budgetMs: each }));
}

/** Findings of several parts, one per kind and location, the shortest schedule kept. */
export function mergeFindings(lists: Finding[][]): Finding[] {
  const by = new Map<string, Finding>();
  for (const l of lists) for (const f of l) {
    const k = findingKey(f);
    const old = by.get(k);
    if (!old || f.step < old.step) by.set(k, f);
  }
  return [...by.values()];
}
