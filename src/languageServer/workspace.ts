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
    const diagnostics = checkText(file, text, { readFile: this.read });
    // an open scenario that runs this model (or includes this file) gives the configuration
    for (const other of this.open.keys()) {
      if (!isScenario(other)) continue;
      const program = this.analyze(other).program;
      if (program !== undefined && program.files.some((f) => path.resolve(f) === file)) {
        return { file, text, program, diagnostics, scenarioFile: other };
      }
    }
    return { file, text, program: this.standaloneProgram(file), diagnostics };
  }

  /** The model checked in a one-CPU SMP scenario that names it, for symbols and definitions. */
  private standaloneProgram(file: string): CheckedProgram | undefined {
    const scenario = path.join(path.dirname(file), STANDALONE_SCENARIO);
    const text = `model ${JSON.stringify(file)}\ncpus 1\ntask cpu 0 {\n}\n`;
    const read = (f: string) => (path.resolve(f) === scenario ? text : this.read(f));
    return loadScenario(scenario, { readFile: read }).program;
  }
}

/** How a kernel developer names a configuration: SMP, UP, PREEMPT_RT (and how many CPUs). */
export function configName(config: Pick<MachineConfig, 'smp' | 'preemptRt' | 'cpus'>): string {
  const base = config.preemptRt ? (config.smp ? 'PREEMPT_RT' : 'PREEMPT_RT, UP') : config.smp ? 'SMP' : 'UP';
  return config.smp ? `${base}, ${config.cpus} CPU${config.cpus === 1 ? '' : 's'}` : base;
}
