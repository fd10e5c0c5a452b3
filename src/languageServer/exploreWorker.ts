// The search (the engine's exploreSync), run in a worker thread of the language server so
// that the server keeps answering and can stop the search at once by terminating the worker.
import { parentPort, workerData } from 'node:worker_threads';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { exploreSync, Finding, formatDiagnostic, loadScenario } from '../engine';
import type { ExploreFinding, ExploreResponse, ExploreStrategyName } from './protocol';

export interface ExploreJob {
  lockstepExplore: true;
  scenario: string;
  /** open documents' unsaved text, by absolute path */
  overlay: Record<string, string>;
  strategy: ExploreStrategyName;
  /** random and pct: how many runs */
  schedules: number;
  timeLimitMs: number;
}

export type WorkerMessage =
  | { type: 'progress'; states: number; schedules: number; elapsedMs: number; percentage?: number }
  | { type: 'done'; result: ExploreResponse };

/** Progress messages at most this often (the search reports far more often). */
const PROGRESS_EVERY_MS = 200;

export function explore(job: ExploreJob, post: (m: WorkerMessage) => void): ExploreResponse {
  const started = Date.now();
  const read = (f: string) => {
    const open = job.overlay[path.resolve(f)];
    if (open !== undefined) return open;
    try {
      return fs.readFileSync(f, 'utf8');
    } catch {
      return undefined;
    }
  };
  const loaded = loadScenario(job.scenario, { readFile: read });
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
  if (loaded.program === undefined || errors.length > 0) {
    return {
      scenario: job.scenario, findings: [], expectations: [], ok: false, errors, cancelled: false,
      search: { strategy: job.strategy, schedules: 0, complete: false, seconds: (Date.now() - started) / 1000 },
    };
  }
  let last = 0;
  const sampled = job.strategy === 'random' || job.strategy === 'pct';
  const r = exploreSync(loaded.program, {
    strategy: job.strategy,
    schedules: job.schedules,
    timeLimitMs: job.timeLimitMs,
    shrink: true,
    onProgress: (p) => {
      const now = Date.now();
      if (now - last < PROGRESS_EVERY_MS) return;
      last = now;
      // random and pct know how many runs they make; the exhaustive search does not
      const percentage = sampled ? Math.min(100, Math.round((100 * p.schedules) / Math.max(1, job.schedules))) : undefined;
      post({ type: 'progress', states: p.states, schedules: p.schedules, elapsedMs: p.elapsedMs, percentage });
    },
  });
  // the final figures, however short the search was
  post({ type: 'progress', states: r.search.states, schedules: r.search.schedules, elapsedMs: Date.now() - started, percentage: sampled ? 100 : undefined });
  return {
    scenario: job.scenario,
    findings: r.findings.map(toExploreFinding),
    expectations: r.expectations,
    ok: r.ok,
    errors,
    search: { strategy: r.search.strategy, schedules: r.search.schedules, states: r.search.states, complete: r.search.complete, seconds: r.search.seconds, limit: r.search.limit },
    cancelled: false,
  };
}

function toExploreFinding(f: Finding): ExploreFinding {
  return { kind: f.kind, message: f.message, schedule: f.schedule, step: f.step, cpu: f.cpu, context: f.context, location: f.location };
}

/** Worker entry: runs the job in workerData and posts progress and the result. */
export function runExploreWorker(): void {
  const post = (m: WorkerMessage) => parentPort?.postMessage(m);
  try {
    post({ type: 'done', result: explore(workerData as ExploreJob, post) });
  } catch (err) {
    const job = workerData as ExploreJob;
    post({
      type: 'done',
      result: {
        scenario: job.scenario, findings: [], expectations: [], ok: false, cancelled: false,
        errors: [`lockstep: internal error: ${err instanceof Error ? err.message : String(err)}`],
        search: { strategy: job.strategy, schedules: 0, complete: false, seconds: 0 },
      },
    });
  }
}
