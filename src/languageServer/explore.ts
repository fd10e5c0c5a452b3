// The 'lockstep/explore' request: runs the search in a worker thread, reports work-done
// progress, and on cancellation terminates the worker and answers with what it has.
import { Worker } from 'node:worker_threads';
import { CancellationToken, WorkDoneProgressReporter } from 'vscode-languageserver/node';
import type { ExploreJob, WorkerMessage } from './exploreWorker';
import type { ExploreResponse } from './protocol';

export function runExplore(job: Omit<ExploreJob, 'lockstepExplore'>, progress: WorkDoneProgressReporter, token: CancellationToken): Promise<ExploreResponse> {
  return new Promise((resolve) => {
    const started = Date.now();
    const cancelled = (): ExploreResponse => ({
      scenario: job.scenario, findings: [], expectations: [], ok: false, errors: [], cancelled: true,
      search: { strategy: job.strategy, schedules: 0, complete: false, seconds: (Date.now() - started) / 1000, limit: 'cancelled' },
    });
    progress.begin('Lockstep: exploring', 0, 'starting', true);
    const worker = new Worker(__filename, { workerData: { ...job, lockstepExplore: true } satisfies ExploreJob });
    let settled = false;
    const finish = (r: ExploreResponse) => {
      if (settled) return;
      settled = true;
      sub.dispose();
      progress.done();
      void worker.terminate();
      resolve(r);
    };
    const sub = token.onCancellationRequested(() => finish(cancelled()));
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') {
        const text = `${m.states.toLocaleString('en-US')} states, ${m.schedules.toLocaleString('en-US')} schedules, ${(m.elapsedMs / 1000).toFixed(1)} s`;
        if (m.percentage !== undefined) progress.report(m.percentage, text);
        else progress.report(text);
      } else finish(m.result);
    });
    worker.on('error', (err) => finish({ ...cancelled(), cancelled: false, errors: [`lockstep: internal error: ${err.message}`] }));
    worker.on('exit', () => finish({ ...cancelled(), cancelled: false, errors: ['lockstep: the search stopped unexpectedly'] }));
  });
}
