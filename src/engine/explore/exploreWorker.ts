// The worker thread's side of a parallel search (workers.ts). Bundled on its own as
// dist/exploreWorker.js (scripts/build.mjs); compiled by tsc next to workers.js.
// Exhaustive: explores the frontier items the main thread hands out, one at a time, with
// one store of states for all of them. Other strategies: one shard of the search.
import { parentPort, workerData } from 'worker_threads';
import type { CheckedProgram } from '../lang/load';
import { Dfs, WorkItem } from './exhaustive';
import { SharedStore, SharedStoreBuffers } from './store';
import { Pacer } from './progress';
import { exploreSync } from './explore';
import { DEFAULT_MAX_STEPS } from '../run';
import type { ExploreOptions } from './types';

export interface WorkerInit {
  program: CheckedProgram;
  options: ExploreOptions;
  items?: WorkItem[];
  /** Int32Array over it: [0] != 0 asks the worker to stop */
  stop: SharedArrayBuffer;
  deadline?: number;
  /** exhaustive: the store of states all workers share */
  shared?: SharedStoreBuffers;
}

export type WorkerMessage =
  | { type: 'progress'; states: number; schedules: number; depth: number }
  | { type: 'item-done' }
  | { type: 'done'; findings: unknown[]; states: number; schedules: number; maxDepth: number; limit?: string; hitMaxSteps: boolean; keys?: Float64Array; complete: boolean; preemptions?: number; constantWritten?: boolean };

function start(): void {
  const init = workerData as WorkerInit;
  const port = parentPort!;
  const stopFlag = new Int32Array(init.stop);
  const o = init.options;
  const shouldStop = () => Atomics.load(stopFlag, 0) !== 0 || (init.deadline !== undefined && Date.now() >= init.deadline);
  let lastProgress = 0;
  const progress = (p: { states: number; schedules: number; depth: number }) => {
    const now = Date.now();
    if (now - lastProgress < 200) return;
    lastProgress = now;
    port.postMessage({ type: 'progress', ...p } satisfies WorkerMessage);
  };
  if (!init.items) {
    // bounded, pct, random: one shard, the whole way, findings unshrunk (the main thread shrinks)
    const r = exploreSync(init.program, { ...o, jobs: 1, shrink: false, shouldStop, timeLimitMs: undefined, onProgress: p => progress(p), collectStates: true });
    const limit = r.search.limit === 'stopped' && init.deadline !== undefined && Date.now() >= init.deadline ? 'time-limit' : r.search.limit;
    port.postMessage({
      type: 'done', findings: r.findings, states: r.search.states, schedules: r.search.schedules, maxDepth: r.search.maxDepth ?? 0,
      limit, hitMaxSteps: limit === 'max-steps', keys: Float64Array.from(r.stateKeys ?? []), complete: r.search.complete, preemptions: r.search.preemptions,
    } satisfies WorkerMessage);
    return;
  }
  const items = init.items;
  const store = new SharedStore(init.shared!);
  let dfs: Dfs | undefined;
  const pacer = new Pacer(undefined, shouldStop, undefined, () => ({ states: store.size, schedules: dfs?.schedules ?? 0, depth: dfs?.depth ?? 0 }));
  dfs = new Dfs(init.program, store, { maxSteps: o.maxSteps ?? DEFAULT_MAX_STEPS, detectors: o.detectors !== false, reduction: o.reduction !== false, stopOnFirst: !!o.stopOnFirst, assumeBootConstants: o.reduction !== false && o.bootConstants !== false }, pacer);
  const d = dfs;
  const finish = () => {
    let limit = pacer.limit ?? (d.hitMaxSteps ? 'max-steps' : undefined);
    if (limit === 'stopped' && init.deadline !== undefined && Date.now() >= init.deadline) limit = 'time-limit';
    port.postMessage({
      type: 'done', findings: d.findings.list(), states: store.size, schedules: d.schedules, maxDepth: d.maxDepth, limit,
      hitMaxSteps: d.hitMaxSteps, complete: !limit, constantWritten: d.constantWritten,
    } satisfies WorkerMessage);
  };
  port.on('message', (msg: { type: 'item'; index: number } | { type: 'finish' }) => {
    if (msg.type === 'finish') { finish(); return; }
    const ok = d.run(items[msg.index]);
    progress({ states: store.size, schedules: d.schedules, depth: d.depth });
    if (!ok) { finish(); return; }
    port.postMessage({ type: 'item-done' } satisfies WorkerMessage);
  });
}

if (parentPort && workerData && (workerData as { lockstepExplore?: boolean }).lockstepExplore) start();
