// The search, run in a worker thread of the language server so that the server keeps
// answering (and can stop the search at once by terminating the worker).
import { parentPort, workerData } from 'node:worker_threads';
import * as path from 'node:path';
import { checkScenario, Finding, formatDiagnostic, judge, loadScenario } from '../engine';
import type { ExploreFinding, ExploreResponse } from './protocol';

export interface ExploreJob {
  lockstepExplore: true;
  scenario: string;
  /** open documents' unsaved text, by absolute path */
  overlay: Record<string, string>;
  schedules: number;
  timeLimitMs: number;
}

export type WorkerMessage =
  | { type: 'progress'; schedules: number; total: number; findings: number; elapsedMs: number }
  | { type: 'done'; result: ExploreResponse };

/** Random schedules tried per round between progress reports. */
const ROUND = 10;

export function explore(job: ExploreJob, post: (m: WorkerMessage) => void): ExploreResponse {
  const started = Date.now();
  const read = (f: string) => {
    const open = job.overlay[path.resolve(f)];
    if (open !== undefined) return open;
    try {
      return require('node:fs').readFileSync(f, 'utf8') as string;
    } catch {
      return undefined;
    }
  };
  const loaded = loadScenario(job.scenario, { readFile: read });
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
  const empty = (complete: boolean): ExploreResponse => ({
    scenario: job.scenario, findings: [], expectations: [], ok: false, errors,
    search: { strategy: 'check', schedules: 0, complete, seconds: (Date.now() - started) / 1000 }, cancelled: false,
  });
  if (loaded.program === undefined || errors.length > 0) return empty(false);
  const program = loaded.program;

  // round-robin plus seeded random schedules, ROUND at a time, findings kept by kind and place
  const seen = new Map<string, Finding>();
  let done = 0;
  let limit: string | undefined;
  while (done < job.schedules) {
    const n = Math.min(ROUND, job.schedules - done);
    const r = checkScenario(program, { schedules: n, seed: 1 + done });
    for (const e of r.errors) errors.push(e);
    for (const f of r.findings) {
      const key = `${f.kind}@${f.location.file}:${f.location.line}:${f.location.column}`;
      if (!seen.has(key)) seen.set(key, f);
    }
    done += n;
    post({ type: 'progress', schedules: done, total: job.schedules, findings: seen.size, elapsedMs: Date.now() - started });
    if (r.errors.length > 0) break;
    if (Date.now() - started > job.timeLimitMs) {
      limit = `time limit ${job.timeLimitMs} ms`;
      break;
    }
  }
  const findings = [...seen.values()];
  const verdict = judge(program, findings);
  return {
    scenario: job.scenario,
    findings: findings.map(toExploreFinding),
    expectations: verdict.expectations,
    ok: verdict.ok && errors.length === 0,
    errors,
    search: { strategy: 'check', schedules: done + 1, complete: false, seconds: (Date.now() - started) / 1000, limit },
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
        search: { strategy: 'check', schedules: 0, complete: false, seconds: 0 },
      },
    });
  }
}
