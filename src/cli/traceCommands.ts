// Argument parsing for `replay` and `export` (kept out of main.ts, which only dispatches).
import { parseArgs, intOpt } from './args';
import { EXIT_OK } from './check';
import { runReplay, parseZoneinfoArg } from './replay';
import { runExport } from './export';
import type { CliIo } from './main';

type UsageError = (io: CliIo, problem: string) => number;

export function replayCommand(args: readonly string[], io: CliIo, usage: string, usageError: UsageError, exportOnly = false): number {
  if (args.includes('--help') || args.includes('-h')) { io.stdout(`${usage}\n`); return EXIT_OK; }
  // --zoneinfo may be given many times: take them out before the single-valued parse
  const zoneinfo: { label: string; file: string }[] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    let v: string | undefined;
    if (a === '--zoneinfo') { v = args[++i]; if (v === undefined) return usageError(io, 'option --zoneinfo needs a value'); }
    else if (a.startsWith('--zoneinfo=')) v = a.slice('--zoneinfo='.length);
    if (v === undefined) { rest.push(a); continue; }
    const z = parseZoneinfoArg(v);
    if (typeof z === 'string') return usageError(io, z);
    zoneinfo.push(z);
  }
  const p = parseArgs(rest, ['--chrome', '--lock-addrs', '--kallsyms'], exportOnly ? [] : ['--json']);
  const cmd = exportOnly ? 'export' : 'replay';
  if (p.error) return usageError(io, `${p.error} for ${cmd}`);
  if (p.files.length !== 1) return usageError(io, `${cmd} needs exactly one trace file`);
  const str = (k: string): string | undefined => { const v = p.opts.get(k); return typeof v === 'string' ? v : undefined; };
  if (exportOnly && !str('--chrome')) return usageError(io, 'export of a kernel trace needs --chrome FILE');
  return runReplay(p.files[0], { out: l => io.stdout(`${l}\n`), err: l => io.stderr(`${l}\n`), progress: io.progress }, {
    zoneinfo, json: p.opts.has('--json'), chrome: str('--chrome'), lockAddrs: str('--lock-addrs'), kallsyms: str('--kallsyms'), exportOnly,
  });
}

export function exportCommand(args: readonly string[], io: CliIo, usage: string, usageError: UsageError): number {
  if (args.includes('--help') || args.includes('-h')) { io.stdout(`${usage}\n`); return EXIT_OK; }
  // `export KERNEL-TRACE --chrome FILE [--zoneinfo LABEL=FILE]...`: an imported trace for
  // Perfetto, as `replay --chrome` writes it (told apart from a scenario: no --schedule, and
  // not a .lockstep file)
  const has = (o: string) => args.some(a => a === o || a.startsWith(`${o}=`));
  const named = args.filter((a, i) => !a.startsWith('-') && !(i > 0 && VALUED.includes(args[i - 1])));
  if (!has('--schedule') && named.length === 1 && !/\.lockstep$/i.test(named[0])) {
    if (has('--ftrace')) return usageError(io, '--ftrace writes a simulated run (a scenario and --schedule); a kernel trace is exported with --chrome FILE');
    return replayCommand(args, io, usage, usageError, true);
  }
  const p = parseArgs(args, ['--schedule', '--chrome', '--ftrace', '--max-steps'], []);
  if (p.error) return usageError(io, `${p.error} for export`);
  if (p.files.length !== 1) return usageError(io, 'export needs exactly one scenario file');
  const schedule = p.opts.get('--schedule');
  if (typeof schedule !== 'string') return usageError(io, 'export needs --schedule STRING');
  const chrome = p.opts.get('--chrome'), ftrace = p.opts.get('--ftrace');
  if (typeof chrome !== 'string' && typeof ftrace !== 'string') return usageError(io, 'export needs --chrome FILE or --ftrace FILE');
  const maxSteps = intOpt(p, '--max-steps', 1);
  if (typeof maxSteps === 'string') return usageError(io, maxSteps);
  return runExport(p.files[0], { out: l => io.stdout(`${l}\n`), err: l => io.stderr(`${l}\n`) }, {
    schedule, chrome: typeof chrome === 'string' ? chrome : undefined, ftrace: typeof ftrace === 'string' ? ftrace : undefined, maxSteps,
  });
}

/** the options of export and replay that take a value (to tell files from option values) */
const VALUED = ['--schedule', '--chrome', '--ftrace', '--max-steps', '--zoneinfo', '--lock-addrs', '--kallsyms'];
