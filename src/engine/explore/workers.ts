// explore() with jobs > 1: the search split over worker threads (exploreWorker.ts), when
// it takes longer than QUICK_MS on the calling thread.
// Exhaustive: the main thread computes the frontier (shard.ts) and hands its items out one
// at a time to whichever worker is free; the workers share one store of states in shared
// memory (store.ts, SharedStore), so a state one of them expanded is not expanded again; bounded, pct, random: worker j of J runs shard j of J. Each worker's distinct
// states come back as keys, so `states` is the size of their union.
import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';
import type { CheckedProgram } from '../lang/load';
import { DEFAULT_MAX_STEPS, judge } from '../run';
import type { Finding } from '../sim/state';
import { frontier, itemsOf, spineFrontier, blockOf } from './shard';
import { Pacer } from './progress';
import { SharedStore, DEFAULT_MAX_STATES } from './store';
import { mergeFindings, validateOptions, shrinkAll, exploreSync, maxStatesMessage } from './explore';
import type { ExploreOptions, ExploreResult, SearchSummary } from './types';
import type { WorkerInit, WorkerMessage } from './exploreWorker';

/** how long a search runs on the calling thread before it is handed to worker threads */
export const QUICK_MS = 500;

/** dist/exploreWorker.js next to the bundle, or exploreWorker.js next to this file (tsc). */
export function workerScript(): string {
  const p = path.join(__dirname, 'exploreWorker.js');
  if (!fs.existsSync(p)) throw new Error(`the explore worker ${p} is missing: rebuild (npm run build)`);
  return p;
}

/** The program as a worker gets it (structured clone): without the preprocessor, which
 * holds the loader's file reader (a function) and serves only the debugger's evaluate. */
function cloneable(program: CheckedProgram): CheckedProgram {
  const copy: CheckedProgram = { ...program };
  delete copy.preprocessor;
  return copy;
}

export async function exploreParallel(program: CheckedProgram, o: ExploreOptions): Promise<ExploreResult> {
  const bad = validateOptions(o);
  if (bad) throw new Error(bad);
  const jobs = o.jobs ?? 1;
  const t0 = Date.now();
  // Most searches are small: starting threads (each loads the engine and compiles the
  // model again) costs more than they take. So first a short search on this thread; only
  // a search that outlives it is split over the workers (and starts again from the top).
  const quickMs = o.parallelAfterMs ?? QUICK_MS;
  if (!o.shard && quickMs > 0 && !o.shouldStop?.()) {
    const quick = exploreSync(program, { ...o, jobs: 1, timeLimitMs: Math.min(quickMs, o.timeLimitMs ?? quickMs), onProgress: undefined });
    if (quick.search.limit !== 'time-limit' || (o.timeLimitMs !== undefined && o.timeLimitMs <= quickMs)) {
      quick.search.jobs = jobs;
      return quick;
    }
  }
  const maxSteps = o.maxSteps ?? DEFAULT_MAX_STEPS;
  const deadline = o.timeLimitMs !== undefined ? t0 + o.timeLimitMs : undefined;
  const stop = new SharedArrayBuffer(4);
  const stopFlag = new Int32Array(stop);
  const shard = o.shard ?? { index: 1, count: 1 };
  const live = new Map<number, { states: number; schedules: number; depth: number }>();
  const sample = () => {
    let states = 0, schedules = 0, depth = 0;
    for (const p of live.values()) { states += p.states; schedules += p.schedules; depth = Math.max(depth, p.depth); }
    return { states, schedules, depth };
  };
  const pacer = new Pacer(o.timeLimitMs, o.shouldStop, o.onProgress, sample);

  let items: ReturnType<typeof frontier>['items'] | undefined;
  let upper: { findings: Finding[]; states: number; schedules: number } = { findings: [], states: 0, schedules: 0 };
  let upperKeys: number[] = [];
  let constantWritten = false;
  if (o.strategy === 'exhaustive') {
    const dfsOptions = { maxSteps, detectors: o.detectors !== false, reduction: o.reduction !== false, stopOnFirst: false, assumeBootConstants: o.reduction !== false && o.bootConstants !== false };
    // --shard: this part's block of the spine's items (shard.ts), shared out over the workers
    const f = shard.count > 1 ? spineFrontier(program, dfsOptions, pacer) : frontier(program, jobs, dfsOptions, pacer);
    items = shard.count > 1 ? blockOf(f.items, shard.index, shard.count) : itemsOf(f.items, 1, 1);
    constantWritten = f.top.constantWritten;
    // --shard: part 1 owns the spine (explore.ts)
    if (shard.index === 1) {
      upper = { findings: f.top.findings.list(), states: f.top.store.size, schedules: f.top.schedules };
      upperKeys = [...f.top.store.keys()];
    }
  }
  const nWorkers = items ? Math.max(1, Math.min(jobs, items.length)) : jobs;
  const shared = items ? SharedStore.buffers(o.maxStates ?? DEFAULT_MAX_STATES) : undefined;
  const script = workerScript();
  const results: Extract<WorkerMessage, { type: 'done' }>[] = [];
  let next = 0;
  await new Promise<void>((resolve, reject) => {
    let running = nWorkers;
    const poll = setInterval(() => {
      if (!pacer.check()) Atomics.store(stopFlag, 0, 1);
    }, 50);
    const done = () => { if (--running === 0) { clearInterval(poll); resolve(); } };
    for (let j = 0; j < nWorkers; j++) {
      const options: ExploreOptions = { ...o, onProgress: undefined, shouldStop: undefined, jobs: 1 };
      if (!items) options.shard = { index: (shard.index - 1) * jobs + j + 1, count: shard.count * jobs };
      const init: WorkerInit & { lockstepExplore: true } = { lockstepExplore: true, program: cloneable(program), options, items, stop, deadline, shared };
      const w = new Worker(script, { workerData: init });
      const give = () => {
        if (next < items!.length && !Atomics.load(stopFlag, 0)) w.postMessage({ type: 'item', index: next++ });
        else w.postMessage({ type: 'finish' });
      };
      w.on('message', (m: WorkerMessage) => {
        if (m.type === 'progress') live.set(j, m);
        else if (m.type === 'item-done') give();
        else {
          results.push(m);
          if (o.stopOnFirst && m.findings.length) Atomics.store(stopFlag, 0, 1);
          void w.terminate();
          done();
        }
      });
      w.on('error', e => { clearInterval(poll); Atomics.store(stopFlag, 0, 1); reject(e); });
      if (items) give();
    }
  });
  // a context wrote a zone constant the search assumed unchanged (exhaustive.ts): again without
  if (constantWritten || results.some(r => r.constantWritten)) return exploreParallel(program, { ...o, bootConstants: false, parallelAfterMs: 0 });
  const keys = new Set<number>(upperKeys);
  if (shared) for (const k of new SharedStore(shared).keys()) keys.add(k);
  for (const r of results) if (r.keys) for (const k of r.keys) keys.add(k);
  let findings = mergeFindings([upper.findings, ...results.map(r => r.findings as Finding[])]);
  const limits = results.map(r => r.limit).filter((l): l is string => !!l);
  let limit = pacer.limit ?? limits.find(l => l !== 'stopped') ?? limits[0];
  if (limit === 'stopped' && o.stopOnFirst && findings.length) limit = 'first-finding';
  if (deadline !== undefined && Date.now() >= deadline && limit) limit = 'time-limit';
  const search: SearchSummary = {
    strategy: o.strategy,
    schedules: upper.schedules + results.reduce((s, r) => s + r.schedules, 0),
    states: keys.size,
    complete: !limit && results.every(r => r.complete) && (o.strategy === 'exhaustive' || o.strategy === 'bounded'),
    seconds: 0,
    limit,
    maxDepth: Math.max(0, ...results.map(r => r.maxDepth)),
    jobs,
  };
  if (o.strategy === 'bounded') search.preemptions = Math.max(0, ...results.map(r => r.preemptions ?? 0));
  if (o.shard) search.shard = o.shard;
  if (limit === 'max-states') search.message = maxStatesMessage(program, search, o.maxStates ?? DEFAULT_MAX_STATES, (Date.now() - t0) / 1000);
  if (limit === 'time-limit') search.message = `stopped by the time limit after ${((Date.now() - t0) / 1000).toFixed(1)} s`;
  if (o.shrink !== false) findings = shrinkAll(program, findings, maxSteps);
  search.seconds = (Date.now() - t0) / 1000;
  return { findings, search, ...judge(program, findings), ...(o.collectStates ? { stateKeys: [...keys] } : {}) };
}
