// The `lockstep` command line (dist/cli.js): argument parsing and dispatch only.
import { EXIT_BAD_INPUT, EXIT_OK, runCheck } from './check';

export const USAGE = `usage: lockstep check <scenario.lockstep>...
       lockstep --help

commands:
  check    load and check scenarios; prints file:line:column: error: message
           for every problem found

exit codes: 0 success, 2 bad input (usage, parse or check errors)`;

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
    default:
      return usageError(io, `unknown command '${command}'`);
  }
}

function check(args: readonly string[], io: CliIo): number {
  const files: string[] = [];
  let optionsEnded = false;
  for (const arg of args) {
    if (!optionsEnded && arg === '--') {
      optionsEnded = true;
    } else if (!optionsEnded && (arg === '--help' || arg === '-h')) {
      io.stdout(`${USAGE}\n`);
      return EXIT_OK;
    } else if (!optionsEnded && arg.startsWith('-')) {
      return usageError(io, `unknown option '${arg}' for check`);
    } else {
      files.push(arg);
    }
  }
  if (files.length === 0) return usageError(io, 'check needs at least one scenario file');
  return runCheck(files, { out: (line) => io.stdout(`${line}\n`) });
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
