// Option parsing shared by the commands: --flag, --opt VALUE, --opt=VALUE, and files.
export interface Parsed { files: string[]; opts: Map<string, string | true>; error?: string }

export function parseArgs(args: readonly string[], valued: readonly string[], flags: readonly string[]): Parsed {
  const files: string[] = [];
  const opts = new Map<string, string | true>();
  let ended = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!ended && a === '--') { ended = true; continue; }
    if (!ended && a.startsWith('-') && a !== '-') {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(0, eq) : a;
      if (flags.includes(name)) { opts.set(name, true); continue; }
      if (valued.includes(name)) {
        const v = eq > 0 ? a.slice(eq + 1) : args[++i];
        if (v === undefined) return { files, opts, error: `option ${name} needs a value` };
        opts.set(name, v);
        continue;
      }
      return { files, opts, error: `unknown option '${a}'` };
    }
    files.push(a);
  }
  return { files, opts };
}

export function intOpt(p: Parsed, name: string, min: number): number | string | undefined {
  const v = p.opts.get(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v === true || !Number.isInteger(n) || n < min) return `option ${name} needs an integer of at least ${min}, not '${v}'`;
  return n;
}
