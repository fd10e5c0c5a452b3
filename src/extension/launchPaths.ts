// A launch configuration's file attributes, resolved against its workspace folder: the
// adapter runs with the extension host's working directory (inline) or its own (a trace's
// process), so `"scenario": "examples/b1.lockstep"` meant a file relative to wherever VS Code
// was started. No vscode import: the extension passes the folder's path.
import * as path from 'path';

type Config = Record<string, unknown>;

/** A copy of `config` whose scenario, trace and zoneinfo files are absolute, relative ones
 * taken from `folder` (left as they are without a folder). */
export function resolveLaunchPaths(config: Config, folder: string | undefined): Config {
  if (folder === undefined) return config;
  const abs = (p: unknown) => (typeof p === 'string' && p !== '' && !path.isAbsolute(p) && !p.includes('${') ? path.join(folder, p) : p);
  const out: Config = { ...config, scenario: abs(config.scenario), trace: abs(config.trace) };
  if (config.scenario === undefined) delete out.scenario;
  if (config.trace === undefined) delete out.trace;
  const zi = config.zoneinfo;
  if (Array.isArray(zi)) {
    // LABEL=FILE
    out.zoneinfo = zi.map(s => {
      if (typeof s !== 'string') return s;
      const eq = s.indexOf('=');
      return eq > 0 ? `${s.slice(0, eq)}=${abs(s.slice(eq + 1))}` : s;
    });
  } else if (zi && typeof zi === 'object') {
    out.zoneinfo = Object.fromEntries(Object.entries(zi as Record<string, unknown>).map(([label, f]) => [label, abs(f)]));
  }
  return out;
}
