// Hover: a primitive's semantics under the configuration that applies (the scenario's,
// or SMP / UP / PREEMPT_RT side by side for a model opened alone), model functions,
// finding kinds and zones.
import * as path from 'node:path';
import { Hover, MarkupKind, Position } from 'vscode-languageserver/node';
import { Builtin, BUILTINS, builtinDoc, bundledModelSummaries, FINDING_KINDS, isFindingKind, memberAt, nameAt, NameInfo, PRELUDE, PRELUDE_FILE } from '../engine';
import { isScenario } from './paths';
import { Analysis, configName } from './workspace';
import { lineAt, MacroDef, macroDefinitions, wordAt } from './words';

/** What the configurations a scenario's `config` lines name mean for the primitives. */
const CONFIG_DOCS: Record<string, string> = {
  SMP: 'Several CPUs (the default): spinlocks have a lock word and spin; `cpus` is 1..256.',
  UP: 'One CPU (`CONFIG_SMP` off): `spin_lock` only disables preemption, `spin_trylock` always succeeds; `cpus` must be 1.',
  PREEMPT_RT: '`CONFIG_PREEMPT_RT`: `spinlock_t` and `local_lock` are sleeping locks (rtmutex), `spin_lock_irqsave` leaves interrupts on, and `irq` blocks run as threaded handlers.',
};

/** The kernel prelude's macros (GFP flags, orders), for hovers on them. */
let preludeMacros: MacroDef[] | undefined;

const ARG_NAMES: Record<string, string> = {
  expr: 'x', int: 'n', lock: 'lock', list: 'list', page: 'page', zone: 'zone', out: 'flags',
  lvalue: 'pos', type: 'type', member: 'member', percpu: 'ptr',
};

export function builtinSignature(b: Builtin): string {
  return `${b.name}(${b.args.map((a) => ARG_NAMES[a] ?? a).join(', ')})`;
}

/** The semantics of a primitive: one configuration, or all three when none applies. */
export function builtinSemantics(b: Builtin, analysis: Pick<Analysis, 'program' | 'scenarioFile' | 'file'>): string {
  const header = `\`\`\`c\n${builtinSignature(b)}\n\`\`\`\n*${b.category} primitive*${b.mightSleep ? ' · *may sleep*' : ''}\n\n`;
  if (typeof b.doc === 'string') return header + b.doc;
  const scenarioApplies = analysis.program !== undefined && (isScenario(analysis.file) || analysis.scenarioFile !== undefined);
  if (scenarioApplies && analysis.program !== undefined) {
    const config = analysis.program.config;
    const from = analysis.scenarioFile !== undefined ? ` (${path.basename(analysis.scenarioFile)})` : '';
    return `${header}**${configName(config)}**${from}: ${builtinDoc(b, config)}`;
  }
  return (
    header +
    `- **SMP**: ${b.doc.smp}\n` +
    `- **UP**: ${b.doc.up}\n` +
    `- **PREEMPT_RT**: ${b.doc.rt}`
  );
}

export function hover(analysis: Analysis, pos: Position, read: (file: string) => string | undefined): Hover | null {
  const text = analysis.text;
  const scenario = isScenario(analysis.file);
  const line = lineAt(text, pos.line);
  // finding kinds (with '-') on expect lines
  if (scenario && /^\s*expect\b/.test(line)) {
    const w = wordAt(text, pos, true);
    if (w && isFindingKind(w.text)) {
      return { contents: { kind: MarkupKind.Markdown, value: `**${w.text}** (finding kind)\n\n${FINDING_KINDS[w.text]}` }, range: w.range };
    }
  }
  // config lines: what the configuration changes
  if (scenario && /^\s*config\b/.test(line)) {
    const c = wordAt(text, pos);
    const key = c?.text.replace(/^CONFIG_/, '');
    if (c && key && CONFIG_DOCS[key]) return { contents: { kind: MarkupKind.Markdown, value: `**${key}** (configuration)\n\n${CONFIG_DOCS[key]}` }, range: c.range };
  }
  // the model line: which kernel the bundled model is
  if (scenario && /^\s*model\b/.test(line)) {
    const m = wordAt(text, pos, true);
    const summary = m && bundledModelSummaries().find((x) => x.name === m.text);
    if (m && summary) return { contents: { kind: MarkupKind.Markdown, value: `**${summary.name}** (bundled model)\n\n${summary.summary}` }, range: m.range };
  }
  const w = wordAt(text, pos);
  if (w === undefined) return null;
  const markdown = (value: string): Hover => ({ contents: { kind: MarkupKind.Markdown, value }, range: w.range });

  const b = BUILTINS.get(w.text);
  if (b !== undefined) return markdown(builtinSemantics(b, analysis));

  const program = analysis.program;
  if (program === undefined) return null;
  // a parameter, local or global variable, as the checker bound this very use of the name
  const v = nameAt(program, analysis.file, w.range.start.line + 1, w.range.start.character + 1, w.text);
  if (v !== undefined) return markdown(variableHover(v));
  // a struct member after '.' or '->'
  const member = memberAt(program, analysis.file, w.range.start.line + 1, w.range.start.character + 1, w.text);
  if (member !== undefined) {
    const where = member.engine || !member.declRange ? 'provided by the engine' : `${path.basename(member.declRange.file)}:${member.declRange.line}`;
    return markdown(`\`\`\`c\n${member.declaration}\n\`\`\`\nmember of \`${member.owner}\`, ${where}`);
  }
  const fn = program.model.functions.get(w.text);
  if (fn !== undefined) {
    const declLine = lineAt(read(fn.nameRange.file) ?? '', fn.nameRange.line - 1).trim();
    return markdown(`\`\`\`c\n${declLine.replace(/\s*\{\s*$/, '')}\n\`\`\`\nmodel function, ${path.basename(fn.nameRange.file)}:${fn.nameRange.line}`);
  }
  if (scenario) {
    const zone = program.scenario.zones.find((z) => z.name === w.text);
    if (zone !== undefined) {
      const parts = [`${zone.pages} pages`];
      if (zone.batch !== undefined) parts.push(`batch ${zone.batch}`);
      if (zone.high !== undefined) parts.push(`high ${zone.high}`);
      if (zone.low !== undefined) parts.push(`low ${zone.low}`);
      return markdown(`**zone ${zone.name}**: ${parts.join(', ')}, ${zone.migratetype} pageblocks`);
    }
  }
  const value = program.model.enumConsts.get(w.text);
  if (value !== undefined) return markdown(`\`${w.text} = ${value}\` (enum constant)`);
  const macro = macroNamed(w.text, analysis, read);
  if (macro !== undefined) {
    const where = macro.file === PRELUDE_FILE ? 'kernel prelude' : `${path.basename(macro.file)}:${macro.line + 1}`;
    return markdown(`\`\`\`c\n${macro.text}\n\`\`\`\nmacro, ${where}`);
  }
  return null;
}

/** A macro's definition: the document's own files (the last #define wins, as in cpp), else the kernel prelude. */
function macroNamed(name: string, analysis: Analysis, read: (file: string) => string | undefined): (MacroDef & { text: string }) | undefined {
  const program = analysis.program;
  const files = program === undefined ? [analysis.file] : isScenario(analysis.file) ? program.files : [analysis.file, ...program.files.filter((f) => f !== analysis.file)];
  for (const file of files) {
    const source = (file === analysis.file ? analysis.text : read(file)) ?? '';
    const defs = macroDefinitions(file, source).filter((d) => d.name === name);
    if (defs.length) { const d = defs[defs.length - 1]; return { ...d, text: lineAt(source, d.line).trim() }; }
  }
  preludeMacros ??= macroDefinitions(PRELUDE_FILE, PRELUDE);
  const d = preludeMacros.find((x) => x.name === name);
  return d && { ...d, text: lineAt(PRELUDE, d.line).trim() };
}

const VARIABLE_KIND: Record<NameInfo['kind'], string> = {
  parameter: 'parameter', local: 'local variable', global: 'global variable', percpu: 'per-CPU variable (DEFINE_PER_CPU)',
};

/** `struct page *page` and what it is: "parameter of free_pcppages_bulk, v6.1.kc:123". */
function variableHover(v: NameInfo): string {
  const where = `${path.basename(v.declRange.file)}:${v.declRange.line}`;
  const owner = v.owner ? (v.kind === 'parameter' ? ` of \`${v.owner}\`` : ` in \`${v.owner}\``) : '';
  return `\`\`\`c\n${v.declaration}\n\`\`\`\n${VARIABLE_KIND[v.kind]}${owner}, ${where}`;
}
