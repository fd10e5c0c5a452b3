// `lockstep check MODEL.kc`: a model on its own (no scenario to run) is parsed and checked
// under each configuration a scenario can give it (SMP, UP, PREEMPT_RT on SMP and on UP),
// since #ifdef CONFIG_SMP / CONFIG_PREEMPT_RT select different code. A diagnostic seen only
// under some configurations names them.
import * as fs from 'fs';
import * as path from 'path';
import { loadScenario, formatDiagnostic } from '../engine';
import type { Diagnostic } from '../engine';
import { rel } from './format';

const CONFIGS: { name: string; lines: string }[] = [
  { name: 'SMP', lines: 'config SMP\ncpus 2' },
  { name: 'UP', lines: 'config UP\ncpus 1' },
  { name: 'SMP PREEMPT_RT', lines: 'config SMP\nconfig PREEMPT_RT on\ncpus 2' },
  { name: 'UP PREEMPT_RT', lines: 'config UP\nconfig PREEMPT_RT on\ncpus 1' },
];

export function isModelFile(file: string): boolean {
  return /\.kc$/i.test(file);
}

/** Checks one model file; prints its diagnostics (or a one-line ok) and says whether it had errors. */
export function checkModelFile(file: string, print: (line: string) => void, summary: (line: string) => void): { errors: boolean } {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch {
    print(`${file}:1:1: error: cannot read model file '${file}'`);
    return { errors: true };
  }
  // a scenario of its own per configuration, in memory, next to the model
  const scenario = path.join(path.dirname(abs), `<check of ${path.basename(abs)}>.lockstep`);
  const seen = new Map<string, { d: Diagnostic; configs: string[] }>();
  for (const c of CONFIGS) {
    const src = `model ${JSON.stringify(abs)}\n${c.lines}\ntask cpu 0 { }\n`;
    const r = loadScenario(scenario, { readFile: f => (path.resolve(f) === scenario ? src : path.resolve(f) === abs ? text : readOrUndefined(f)) });
    for (const d of r.diagnostics) {
      if (path.resolve(d.file) === scenario) continue;
      const key = formatDiagnostic(d);
      const entry = seen.get(key) ?? { d, configs: [] };
      entry.configs.push(c.name);
      seen.set(key, entry);
    }
  }
  let errors = false;
  const ordered = [...seen.values()].sort((a, b) => a.d.file.localeCompare(b.d.file) || a.d.line - b.d.line || a.d.column - b.d.column);
  for (const { d, configs } of ordered) {
    const only = configs.length < CONFIGS.length ? ` [${configs.join(', ')}]` : '';
    print(formatDiagnostic({ ...d, file: rel(d.file), message: d.message + only }));
    if (d.severity === 'error') errors = true;
  }
  if (!errors) summary(`${file}: ok (a model: parsed and checked under ${CONFIGS.map(c => c.name).join(', ')}; no scenario to run)`);
  return { errors };
}

function readOrUndefined(f: string): string | undefined {
  try { return fs.readFileSync(f, 'utf8'); } catch { return undefined; }
}
