// The `lockstep` command line (dist/cli.js): argument parsing and dispatch only.
import { EXIT_BAD_INPUT, EXIT_OK, runCheck } from './check';
import { runRun } from './run';
import { parseArgs, intOpt } from './args';
import { bundledModelSummaries } from '../engine';
import { runExploreCheck } from './explore';
import { runMerge } from './merge';
import { replayCommand, exportCommand } from './traceCommands';

export const USAGE = `usage: lockstep check <scenario.lockstep>... [--schedules N] [--seed S] [--max-steps N] [--json] [--sarif FILE] [--trace FILE]
       lockstep check <scenario.lockstep>... --explore exhaustive|bounded|pct|random [--preemptions K]
                [--schedules N] [--seed S] [--depth D] [--time-limit SEC] [--jobs N] [--shard I/N]
                [--max-states N] [--max-steps N] [--stop-on-first] [--no-shrink] [--json] [--sarif FILE] [--trace FILE]
       lockstep merge <part.json>... [--json]
       lockstep run <scenario.lockstep> [--schedule STRING] [--random --seed S] [--max-steps N] [--trace FILE] [--json]
       lockstep replay <kernel-trace> [--zoneinfo LABEL=FILE]... [--json] [--chrome FILE]
       lockstep export <scenario.lockstep> --schedule STRING --chrome FILE | --ftrace FILE
       lockstep export <kernel-trace> --chrome FILE [--zoneinfo LABEL=FILE]...
       lockstep models
       lockstep --help

commands:
  check    load and check scenarios (file:line:column: error: message for each problem),
           then run each round-robin plus N seeded random schedules (default 20) and
           judge its expect lines
           --explore: search the interleavings and interrupt arrivals instead (exhaustive:
           every distinct behaviour; bounded: up to K preemptions; pct, random: N runs)
  merge    combine the --json output of the shards of one search into one verdict
  run      one run: the steps, the findings and the final state
  replay   import a kernel trace (raw ftrace, trace-cmd report or perf script text), rebuild
           the per-CPU page lists and compare them with zoneinfo snapshots
  export   one simulated run as a Chrome trace (Perfetto) or as ftrace text
           (a kernel trace: as a Chrome trace, as replay --chrome writes it)
  models   list the bundled models

exit codes: 0 every expectation met, 1 an expectation failed (an unexpected finding, or an expected one not found),
            2 bad input (usage, parse or check errors), 3 a limit stopped the run`;

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** a status line on a terminal, rewritten in place ('' clears it) */
  progress?(text: string): void;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  progress: process.stderr.isTTY ? (text) => process.stderr.write(`\r\x1b[K${text.slice(0, Math.max(20, (process.stderr.columns ?? 100) - 1))}`) : undefined,
};

/** Runs the command line with `argv` (without node and script) and returns the exit code
 * (a Promise of it for a search on worker threads). */
export function main(argv: readonly string[], io: CliIo = processIo): number | Promise<number> {
  const internal = (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    const stack = err instanceof Error && err.stack ? `${err.stack}\n` : '';
    io.stderr(`lockstep: internal error: ${message}\n${stack}`);
    return EXIT_BAD_INPUT;
  };
  try {
    const r = dispatch(argv, io);
    return typeof r === 'number' ? r : r.catch(internal);
  } catch (err) {
    return internal(err);
  }
}

function usageError(io: CliIo, problem: string): number {
  io.stderr(`lockstep: ${problem}\n${USAGE}\n`);
  return EXIT_BAD_INPUT;
}

function dispatch(argv: readonly string[], io: CliIo): number | Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) return usageError(io, 'no command given');
  if (command === '--help' || command === '-h' || command === 'help') {
    io.stdout(`${USAGE}\n`);
    return EXIT_OK;
  }
  switch (command) {
    case 'check':
      return check(rest, io);
    case 'run':
      return run(rest, io);
    case 'models':
      return models(io);
    case 'merge':
      return merge(rest, io);
    case 'replay':
      return replayCommand(rest, io, USAGE, usageError);
    case 'export':
      return exportCommand(rest, io, USAGE, usageError);
    default:
      return usageError(io, `unknown command '${command}'`);
  }
}

function check(args: readonly string[], io: CliIo): number | Promise<number> {
  if (args.includes('--help') || args.includes('-h')) { io.stdout(`${USAGE}\n`); return EXIT_OK; }
  if (args.some(a => EXPLORE_ONLY.some(o => a === o || a.startsWith(`${o}=`)))) return checkExplore(args, io);
  const p = parseArgs(args, ['--schedules', '--seed', '--max-steps', '--sarif', '--trace'], ['--json']);
  if (p.error) return usageError(io, `${p.error} for check`);
  const schedules = intOpt(p, '--schedules', 0);
  const seed = intOpt(p, '--seed', 0);
  const maxSteps = intOpt(p, '--max-steps', 1);
  for (const v of [schedules, seed, maxSteps]) if (typeof v === 'string') return usageError(io, v);
  if (p.files.length === 0) return usageError(io, 'check needs at least one scenario file');
  return runCheck(p.files, { out: (line) => io.stdout(`${line}\n`), err: (line) => io.stderr(`${line}\n`) }, {
    schedules: schedules as number | undefined, seed: seed as number | undefined, maxSteps: maxSteps as number | undefined, json: p.opts.has('--json'),
    sarif: strOpt(p, '--sarif'), trace: strOpt(p, '--trace'),
  });
}

const EXPLORE_ONLY = ['--explore', '--preemptions', '--depth', '--time-limit', '--jobs', '--shard', '--max-states', '--stop-on-first', '--no-shrink'];

function checkExplore(args: readonly string[], io: CliIo): number | Promise<number> {
  const p = parseArgs(args, ['--explore', '--preemptions', '--schedules', '--seed', '--depth', '--time-limit', '--jobs', '--shard', '--max-states', '--max-steps', '--sarif', '--trace'], ['--json', '--stop-on-first', '--no-shrink']);
  if (p.error) return usageError(io, `${p.error} for check`);
  const strategy = p.opts.get('--explore') ?? 'exhaustive';
  if (typeof strategy !== 'string' || !['exhaustive', 'bounded', 'pct', 'random'].includes(strategy)) return usageError(io, `--explore needs exhaustive, bounded, pct or random, not '${strategy}'`);
  const ints = {
    preemptions: intOpt(p, '--preemptions', 0), schedules: intOpt(p, '--schedules', 1), seed: intOpt(p, '--seed', 0), depth: intOpt(p, '--depth', 1),
    jobs: intOpt(p, '--jobs', 1), maxStates: intOpt(p, '--max-states', 1), maxSteps: intOpt(p, '--max-steps', 1),
  };
  for (const v of Object.values(ints)) if (typeof v === 'string') return usageError(io, v);
  let timeLimitMs: number | undefined;
  const tl = p.opts.get('--time-limit');
  if (tl !== undefined) {
    const n = Number(tl);
    if (tl === true || !(n > 0)) return usageError(io, `option --time-limit needs a number of seconds above 0, not '${tl}'`);
    timeLimitMs = n * 1000;
  }
  let shard: { index: number; count: number } | undefined;
  const sh = p.opts.get('--shard');
  if (sh !== undefined) {
    const m = typeof sh === 'string' ? /^(\d+)\/(\d+)$/.exec(sh) : null;
    if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) return usageError(io, `option --shard needs I/N with 1 <= I <= N, not '${sh}'`);
    shard = { index: Number(m[1]), count: Number(m[2]) };
  }
  if (p.files.length === 0) return usageError(io, 'check needs at least one scenario file');
  const n = (v: number | string | undefined) => v as number | undefined;
  return runExploreCheck(p.files, {
    out: (line) => io.stdout(`${line}\n`), err: (line) => io.stderr(`${line}\n`), progress: io.progress,
  }, {
    strategy: strategy as 'exhaustive', preemptions: n(ints.preemptions), schedules: n(ints.schedules), seed: n(ints.seed), depth: n(ints.depth),
    jobs: n(ints.jobs), maxStates: n(ints.maxStates), maxSteps: n(ints.maxSteps), timeLimitMs, shard,
    stopOnFirst: p.opts.has('--stop-on-first'), shrink: !p.opts.has('--no-shrink'), json: p.opts.has('--json'),
    sarif: strOpt(p, '--sarif'), trace: strOpt(p, '--trace'),
    // tests: LOCKSTEP_PARALLEL_AFTER_MS=0 puts even a small search on the worker threads
    parallelAfterMs: process.env.LOCKSTEP_PARALLEL_AFTER_MS ? Number(process.env.LOCKSTEP_PARALLEL_AFTER_MS) : undefined,
  });
}

function strOpt(p: ReturnType<typeof parseArgs>, name: string): string | undefined {
  const v = p.opts.get(name);
  return typeof v === 'string' ? v : undefined;
}

function merge(args: readonly string[], io: CliIo): number {
  if (args.includes('--help') || args.includes('-h')) { io.stdout(`${USAGE}\n`); return EXIT_OK; }
  const p = parseArgs(args, [], ['--json']);
  if (p.error) return usageError(io, `${p.error} for merge`);
  if (p.files.length === 0) return usageError(io, 'merge needs at least one JSON file');
  return runMerge(p.files, { out: (line) => io.stdout(`${line}\n`), err: (line) => io.stderr(`${line}\n`) }, p.opts.has('--json'));
}

function run(args: readonly string[], io: CliIo): number {
  if (args.includes('--help') || args.includes('-h')) { io.stdout(`${USAGE}\n`); return EXIT_OK; }
  const p = parseArgs(args, ['--schedule', '--seed', '--max-steps', '--trace'], ['--json', '--random']);
  if (p.error) return usageError(io, `${p.error} for run`);
  const seed = intOpt(p, '--seed', 0);
  const maxSteps = intOpt(p, '--max-steps', 1);
  for (const v of [seed, maxSteps]) if (typeof v === 'string') return usageError(io, v);
  if (p.files.length !== 1) return usageError(io, 'run needs exactly one scenario file');
  const schedule = p.opts.get('--schedule');
  return runRun(p.files[0], { out: (line) => io.stdout(`${line}\n`), err: (line) => io.stderr(`${line}\n`) }, {
    schedule: typeof schedule === 'string' ? schedule : undefined, json: p.opts.has('--json'),
    maxSteps: maxSteps as number | undefined, seed: seed as number | undefined, strategy: p.opts.has('--random') ? 'random' : 'roundrobin',
    trace: strOpt(p, '--trace'),
  });
}

function models(io: CliIo): number {
  const list = bundledModelSummaries();
  if (!list.length) io.stdout('no bundled models are installed\n');
  const w = Math.max(0, ...list.map(m => m.name.length));
  for (const m of list) io.stdout(`${m.name.padEnd(w)}  ${m.summary}\n`);
  return EXIT_OK;
}

if (require.main === module) {
  // `lockstep run ... | head` closes the pipe early: that is not an error
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  const code = main(process.argv.slice(2));
  if (typeof code === 'number') process.exitCode = code;
  else void code.then(c => { process.exitCode = c; });
}
