// The one entry every layer uses: a scenario file → a checked program + diagnostics.
import * as fs from 'fs';
import * as path from 'path';
import { Diagnostic, DiagnosticBag, Range, sortDiagnostics } from './diagnostics';
import { lex } from './lexer';
import { Preprocessor } from './preprocess';
import { Parser } from './parser';
import { Checker, CheckedModel } from './checker';
import { parseScenario, Scenario } from './scenario';
import { PRELUDE, PRELUDE_FILE } from './prelude';
import { Symbol, ptrTo } from './types';

export interface MachineConfig {
  smp: boolean;
  preemptRt: boolean;
  cpus: number;
  /** every CONFIG_ symbol the model's preprocessor saw defined, with its value */
  symbols: Map<string, number>;
}

export interface CheckedProgram {
  scenario: Scenario;
  modelFile: string;
  model: CheckedModel;
  config: MachineConfig;
  zoneSymbols: Map<string, Symbol>;
  /** files the model is made of, the model first */
  files: string[];
  inactive: Preprocessor['inactive'];
  /** the model's macros, for expressions typed later (the debugger's evaluate) */
  preprocessor?: Preprocessor;
}

export interface LoadResult {
  program: CheckedProgram | undefined;
  diagnostics: Diagnostic[];
}

export interface LoadOptions {
  readFile?: (file: string) => string | undefined;
  /** replaces the scenario's model line (debugger launch attribute `model`) */
  model?: string;
  /** added after the scenario's config lines, winning over them: { UP: true, PREEMPT_RT: true, CONFIG_X: 3 } */
  config?: Record<string, boolean | number>;
  /** where bundled models live; default: the package's models/ */
  modelsDir?: string;
}

function defaultRead(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

let cachedModelsDir: string | undefined;
/** The bundled models: `models/` beside the package.json above this file (src, out or dist). */
export function bundledModelsDir(): string {
  if (cachedModelsDir) return cachedModelsDir;
  let dir = __dirname;
  for (let k = 0; k < 6; k++) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'models'))) return (cachedModelsDir = path.join(dir, 'models'));
    dir = path.dirname(dir);
  }
  return (cachedModelsDir = path.join(__dirname, '..', 'models'));
}

export function bundledModels(dir = bundledModelsDir()): string[] {
  try {
    return fs.readdirSync(dir).filter(f => f.endsWith('.kc')).map(f => f.slice(0, -3)).sort();
  } catch {
    return [];
  }
}

/** Each bundled model with the first sentence of its header comment. */
export function bundledModelSummaries(dir = bundledModelsDir()): { name: string; summary: string }[] {
  return bundledModels(dir).map(name => {
    let text = '';
    try { text = fs.readFileSync(path.join(dir, `${name}.kc`), 'utf8'); } catch { /* listed, then removed */ }
    const m = /^\s*\/\*([\s\S]*?)\*\//.exec(text);
    const body = (m ? m[1] : '').split('\n').map(l => l.replace(/^\s*\*\s?/, '').trim()).join(' ').replace(/\s+/g, ' ').trim();
    const sentence = /^(.*?\.)(\s|$)/.exec(body)?.[1] ?? body;
    return { name, summary: sentence.length > 120 ? `${sentence.slice(0, 117)}...` : sentence };
  });
}

export function loadScenario(file: string, options: LoadOptions = {}): LoadResult {
  const read = options.readFile ?? defaultRead;
  const diags = new DiagnosticBag();
  const text = read(file);
  const top: Range = { file, line: 1, column: 1, endLine: 1, endColumn: 1 };
  if (text === undefined) {
    diags.error(top, 'N019', file);
    return { program: undefined, diagnostics: diags.items };
  }
  const sc = parseScenario(file, lex(file, text, diags), diags);
  applyOverrides(sc, options, top);
  // an override can make a multi-CPU scenario UP: the scenario rule still holds
  if ((options.config || options.model) && !sc.smp && (sc.cpus ?? 1) > 1) diags.error(sc.cpusRange ?? top, 'N005', sc.cpus ?? 1);
  if (!sc.model) return { program: undefined, diagnostics: sortDiagnostics(diags.items) };

  // the model
  const modelsDir = options.modelsDir ?? bundledModelsDir();
  const modelFile = sc.model.quoted
    ? path.resolve(path.dirname(file), sc.model.name)
    : path.join(modelsDir, `${sc.model.name}.kc`);
  const modelText = read(modelFile);
  if (modelText === undefined) {
    if (sc.model.quoted) diags.error(sc.model.range, 'N018', sc.model.name);
    else diags.error(sc.model.range, 'N007', sc.model.name, bundledModels(modelsDir).join(', ') || '(none installed)');
    return { program: undefined, diagnostics: sortDiagnostics(diags.items) };
  }
  const config = machineConfig(sc);
  const { model, pp, checker } = checkModelText(modelFile, modelText, config, diags, read);

  // the scenario's blocks, in the model's scope and with its macros
  const zoneSymbols = new Map<string, Symbol>();
  const zoneStruct = model.structs.get('zone');
  sc.zones.forEach((z, index) => {
    if (zoneStruct) zoneSymbols.set(z.name, { kind: 'zone', name: z.name, index, type: ptrTo(zoneStruct) });
  });
  for (const b of sc.blocks) {
    const toks = pp.expand(b.tokens);
    toks.push({ kind: 'eof', text: '<end of block>', file, line: b.range.endLine, column: b.range.endColumn - 1, endLine: b.range.endLine, endColumn: b.range.endColumn, bol: true, space: true });
    const parser = new Parser(toks, diags, new Set(model.typedefs.keys()));
    b.body = parser.parseStatements();
    const r = checker.checkScenarioBlock(b.body, zoneSymbols);
    b.frameSize = r.frameSize;
  }

  const program: CheckedProgram = {
    scenario: sc, modelFile, model, config, zoneSymbols,
    files: pp.includedFiles.filter(f => f !== PRELUDE_FILE), inactive: pp.inactive,
  };
  program.preprocessor = pp;
  return { program, diagnostics: sortDiagnostics(diags.items) };
}

function applyOverrides(sc: Scenario, options: LoadOptions, top: Range): void {
  if (options.model) {
    const quoted = /[/\\]|\.kc$/.test(options.model);
    sc.model = { name: quoted ? path.resolve(options.model) : options.model, quoted, range: sc.model?.range ?? top };
  }
  for (const [k, v] of Object.entries(options.config ?? {})) {
    if (k === 'UP') sc.smp = !v;
    else if (k === 'SMP' || k === 'CONFIG_SMP') sc.smp = !!v;
    else if (k === 'PREEMPT_RT' || k === 'CONFIG_PREEMPT_RT') sc.preemptRt = !!v;
    else if (k === 'cpus' && typeof v === 'number') sc.cpus = v;
    else {
      const name = k.startsWith('CONFIG_') ? k : `CONFIG_${k}`;
      sc.configs = sc.configs.filter(c => c.name !== name);
      sc.configs.push({ name, value: v, range: top });
    }
  }
}

export function machineConfig(sc: Scenario): MachineConfig {
  const cpus = sc.cpus ?? 1;
  const symbols = new Map<string, number>();
  if (sc.smp) symbols.set('CONFIG_SMP', 1);
  if (sc.preemptRt) { symbols.set('CONFIG_PREEMPT_RT', 1); symbols.set('CONFIG_PREEMPTION', 1); }
  symbols.set('CONFIG_NR_CPUS', sc.smp ? cpus : 1);
  for (const c of sc.configs) {
    if (c.value === false || c.value === 0) symbols.delete(c.name);
    else symbols.set(c.name, c.value === true ? 1 : Number(c.value));
  }
  return { smp: sc.smp, preemptRt: sc.preemptRt, cpus, symbols };
}

/** Preprocess, parse and check a model (with the engine's prelude in front). */
export function checkModelText(
  modelFile: string, text: string, config: MachineConfig, diags: DiagnosticBag,
  read: (f: string) => string | undefined = defaultRead,
): { model: CheckedModel; pp: Preprocessor; checker: Checker } {
  const pp = new Preprocessor({ readFile: read }, diags, config.symbols);
  const prelude = pp.file(PRELUDE_FILE, PRELUDE);
  prelude.pop(); // its eof
  const toks = pp.file(modelFile, text);
  const all = prelude.concat(toks);
  const typedefs = new Set<string>(['spinlock_t', 'raw_spinlock_t', 'local_lock_t']);
  const parser = new Parser(all, diags, typedefs);
  const ast = parser.parseModel();
  const checker = new Checker(diags);
  const model = checker.checkModel(ast);
  return { model, pp, checker };
}

/** Diagnostics for an editor buffer: a scenario, or a model checked on its own (SMP, 1 CPU). */
export function checkText(file: string, text: string, options: LoadOptions = {}): Diagnostic[] {
  const baseRead = options.readFile ?? defaultRead;
  const read = (f: string) => (path.resolve(f) === path.resolve(file) ? text : baseRead(f));
  if (file.endsWith('.kc')) {
    const diags = new DiagnosticBag();
    const cfg: MachineConfig = { smp: true, preemptRt: false, cpus: 1, symbols: new Map([['CONFIG_SMP', 1], ['CONFIG_NR_CPUS', 1]]) };
    checkModelText(file, text, cfg, diags, read);
    return sortDiagnostics(diags.items);
  }
  return loadScenario(file, { ...options, readFile: read }).diagnostics;
}
