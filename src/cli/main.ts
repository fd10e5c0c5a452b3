// The `lockstep` command line (dist/cli.js): argument parsing and dispatch only.
import { EXIT_BAD_INPUT, EXIT_OK, runCheck } from './check';
import { runRun } from './run';
import { parseArgs, intOpt } from './args';
import { bundledModelSummaries } from '../engine';
import { replayCommand, exportCommand } from './traceCommands';

export const USAGE = `usage: lockstep check <scenario.lockstep>... [--schedules N] [--seed S] [--max-steps N] [--json]
       lockstep run <scenario.lockstep> [--schedule STRING] [--random --seed S] [--max-steps N] [--json]
       lockstep replay <kernel-trace> [--zoneinfo LABEL=FILE]... [--json] [--chrome FILE]
       lockstep export <scenario.lockstep> --schedule STRING --chrome FILE | --ftrace FILE
       lockstep models
       lockstep --help

commands:
  check    load and check scenarios (file:line:column: error: message for each problem),
           then run each round-robin plus N seeded random schedules (default 20) and
           judge its expect lines
  run      one run: the steps, the findings and the final state
  replay   import a kernel trace (raw ftrace, trace-cmd report or perf script text), rebuild
           the per-CPU page lists and compare them with zoneinfo snapshots
  export   one simulated run as a Chrome trace (Perfetto) or as ftrace text
  models   list the bundled models

exit codes: 0 every expectation met, 1 an expectation failed (or a run found something),
            2 bad input (usage, parse or check errors), 3 a limit stopped the run`;

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** Runs the command line with `argv` (without node and script) and returns the exit code. */
export function main(argv: readonly string[], io: CliIo = processIo): number {
  try {
    return dispatch(argv, io);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const stack = err instanceof Error && err.stack ? `${err.stack}\n` : '';
    io.stderr(`lockstep: internal error: ${message}\n${stack}`);
    return EXIT_BAD_INPUT;
  }
}

function usageError(io: CliIo, problem: string): number {
  io.stderr(`lockstep: ${problem}\n${USAGE}\n`);
  return EXIT_BAD_INPUT;
}

function dispatch(argv: readonly string[], io: CliIo): number {
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
    case 'replay':
      return replayCommand(rest, io, USAGE, usageError);
    case 'export':
      return exportCommand(rest, io, USAGE, usageError);
    default:
      return usageError(io, `unknown command '${command}'`);
  }
}

function check(args: readonly string[], io: CliIo): number {
  if (args.includes('--help') || args.includes('-h')) { io.stdout(`${USAGE}\n`); return EXIT_OK; }
  const p = parseArgs(args, ['--schedules', '--seed', '--max-steps'], ['--json']);
  if (p.error) return usageError(io, `${p.error} for check`);
  const schedules = intOpt(p, '--schedules', 0);
  const seed = intOpt(p, '--seed', 0);
  const maxSteps = intOpt(p, '--max-steps', 1);
  for (const v of [schedules, seed, maxSteps]) if (typeof v === 'string') return usageError(io, v);
  if (p.files.length === 0) return usageError(io, 'check needs at least one scenario file');
  return runCheck(p.files, { out: (line) => io.stdout(`${line}\n`), err: (line) => io.stderr(`${line}\n`) }, {
    schedules: schedules as number | undefined, seed: seed as number | undefined, maxSteps: maxSteps as number | undefined, json: p.opts.has('--json'),
  });
}

function run(args: readonly string[], io: CliIo): number {
  if (args.includes('--help') || args.includes('-h')) { io.stdout(`${USAGE}\n`); return EXIT_OK; }
  const p = parseArgs(args, ['--schedule', '--seed', '--max-steps'], ['--json', '--random']);
  if (p.error) return usageError(io, `${p.error} for run`);
  const seed = intOpt(p, '--seed', 0);
  const maxSteps = intOpt(p, '--max-steps', 1);
  for (const v of [seed, maxSteps]) if (typeof v === 'string') return usageError(io, v);
  if (p.files.length !== 1) return usageError(io, 'run needs exactly one scenario file');
  const schedule = p.opts.get('--schedule');
  return runRun(p.files[0], { out: (line) => io.stdout(`${line}\n`) }, {
    schedule: typeof schedule === 'string' ? schedule : undefined, json: p.opts.has('--json'),
    maxSteps: maxSteps as number | undefined, seed: seed as number | undefined, strategy: p.opts.has('--random') ? 'random' : 'roundrobin',
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
  process.exitCode = main(process.argv.slice(2));
}
