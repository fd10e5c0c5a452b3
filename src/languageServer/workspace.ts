// The server's view of the files: open documents (their unsaved text wins over the
// disk) and, per file, the engine's analysis of it. A model file is analysed under the
// configuration of an open scenario that uses it, else on its own.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CheckedProgram, checkText, Diagnostic, loadScenario, MachineConfig } from '../engine';
import { isScenario } from './paths';

export interface Analysis {
  file: string;
  text: string;
  /** the checked program: the scenario's, or for a model one that runs it */
  program?: CheckedProgram;
  /** the engine's diagnostics for this file (and, for a scenario, its model) */
  diagnostics: Diagnostic[];
  /** the open scenario whose configuration applies to a model; undefined: the model alone */
  scenarioFile?: string;
  /** an internal error of the engine, reported instead of crashing */
  internalError?: string;
}

/** The name of the scenario the server writes around a model opened alone (never on disk). */
const STANDALONE_SCENARIO = '.lockstep-model-alone.lockstep';

export class Workspace {
  private readonly open = new Map<string, string>();
  private readonly cache = new Map<string, Analysis>();

  /** Records an open document's text; every analysis may depend on it. */
  setText(file: string, text: string): void {
    this.open.set(file, text);
    this.cache.clear();
  }

  close(file: string): void {
    this.open.delete(file);
    this.cache.clear();
  }

  openFiles(): string[] {
    return [...this.open.keys()];
  }

  /** An open document's text, else the file on disk. */
  readonly read = (file: string): string | undefined => {
    const resolved = path.resolve(file);
    const text = this.open.get(resolved);
    if (text !== undefined) return text;
    try {
      return fs.readFileSync(resolved, 'utf8');
    } catch {
      return undefined;
    }
  };

  analyze(file: string): Analysis {
    const cached = this.cache.get(file);
    if (cached !== undefined) return cached;
    const text = this.read(file) ?? '';
    let analysis: Analysis;
    try {
      analysis = isScenario(file) ? this.analyzeScenario(file, text) : this.analyzeModel(file, text);
    } catch (err) {
      analysis = { file, text, diagnostics: [], internalError: err instanceof Error ? (err.stack ?? err.message) : String(err) };
    }
    this.cache.set(file, analysis);
    return analysis;
  }

  private analyzeScenario(file: string, text: string): Analysis {
    const r = loadScenario(file, { readFile: this.read });
    return { file, text, program: r.program, diagnostics: r.diagnostics };
  }

  private analyzeModel(file: string, text: string): Analysis {
    const mine = (d: Diagnostic) => path.resolve(d.file) === file;
    // an open scenario that runs this model (or includes this file) gives the configuration
    for (const other of this.open.keys()) {
      if (!isScenario(other)) continue;
      const a = this.analyze(other);
      if (a.program !== undefined && a.program.files.some((f) => path.resolve(f) === file)) {
        return { file, text, program: a.program, diagnostics: a.diagnostics.filter(mine), scenarioFile: other };
      }
    }
    // a file meant to be #included (models/common/*.kc) is checked inside the model that
    // includes it: alone, it would miss the includer's macros and declarations
    const top = this.includer(file);
    if (top !== undefined) {
      const diagnostics = checkText(top, this.read(top) ?? '', { readFile: this.read }).filter(mine);
      return { file, text, program: this.standaloneProgram(top), diagnostics };
    }
    const diagnostics = checkText(file, text, { readFile: this.read });
    return { file, text, program: this.standaloneProgram(file), diagnostics };
  }

  /**
   * The outermost model that #includes this file, looked for among the .kc files of
   * its folder and the folder above (open documents first); undefined when none does.
   */
  private includer(file: string): string | undefined {
    let current = file;
    const seen = new Set([file]);
    for (let depth = 0; depth < 8; depth++) {
      const parent = this.candidates(current).find((c) => !seen.has(c) && includes(c, this.read(c) ?? '', current));
      if (parent === undefined) break;
      seen.add(parent);
      current = parent;
    }
    return current === file ? undefined : current;
  }

  private candidates(file: string): string[] {
    const dirs = [path.dirname(file), path.dirname(path.dirname(file))];
    const onDisk = dirs.flatMap((d) => {
      try {
        return fs.readdirSync(d).filter((f) => f.endsWith('.kc')).sort().map((f) => path.join(d, f));
      } catch {
        return [];
      }
    });
    const open = [...this.open.keys()].filter((f) => f.endsWith('.kc') && dirs.includes(path.dirname(f)));
    return [...new Set([...open, ...onDisk])].filter((f) => f !== file);
  }

  /** The model checked in a one-CPU SMP scenario that names it, for symbols and definitions. */
  private standaloneProgram(file: string): CheckedProgram | undefined {
    const scenario = path.join(path.dirname(file), STANDALONE_SCENARIO);
    const text = `model ${JSON.stringify(file)}\ncpus 1\ntask cpu 0 {\n}\n`;
    const read = (f: string) => (path.resolve(f) === scenario ? text : this.read(f));
    return loadScenario(scenario, { readFile: read }).program;
  }
}

/** Whether a model's text has an #include that resolves to `target`. */
function includes(file: string, text: string, target: string): boolean {
  const re = /^[ \t]*#[ \t]*include[ \t]*"([^"]+)"/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) if (path.resolve(path.dirname(file), m[1]) === target) return true;
  return false;
}

/** How a kernel developer names a configuration: SMP, UP, PREEMPT_RT (and how many CPUs). */
export function configName(config: Pick<MachineConfig, 'smp' | 'preemptRt' | 'cpus'>): string {
  const base = config.preemptRt ? (config.smp ? 'PREEMPT_RT' : 'PREEMPT_RT, UP') : config.smp ? 'SMP' : 'UP';
  return config.smp ? `${base}, ${config.cpus} CPU${config.cpus === 1 ? '' : 's'}` : base;
}
