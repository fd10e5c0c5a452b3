// Completion: scenario keywords by position on the line (declarations, finding kinds,
// models, configurations, zone attributes, migratetypes, zone names), and in Kernel C
// (task/irq blocks, model files) the parameters and locals in scope, model functions,
// primitives, keywords, zones, constants.
import { CompletionItem, CompletionItemKind, InsertTextFormat, MarkupKind, Position } from 'vscode-languageserver/node';
import { BUILTINS, bundledModelSummaries, FINDING_KINDS, FINDING_KIND_IDS, localsAt, PRELUDE, PRELUDE_FILE } from '../engine';
import { builtinSemantics, builtinSignature } from './hover';
import { isScenario } from './paths';
import { Analysis } from './workspace';
import { braceDepthAt, macroDefinitions, offsetAt, prefixAt } from './words';

export const SCENARIO_DECLARATIONS: { label: string; snippet: string; doc: string }[] = [
  { label: 'scenario', snippet: 'scenario "${1:title}"', doc: 'The scenario title.' },
  { label: 'model', snippet: 'model ${1:v6.19}', doc: 'A bundled model name, or a quoted path to a .kc file.' },
  { label: 'config', snippet: 'config ${1|SMP,UP,PREEMPT_RT on,PREEMPT_RT off|}', doc: 'SMP (default) or UP; PREEMPT_RT on|off; CONFIG_NAME on|off|<int>.' },
  { label: 'cpus', snippet: 'cpus ${1:2}', doc: 'The number of CPUs (UP: exactly 1).' },
  { label: 'zone', snippet: 'zone ${1:Normal} pages ${2:256} batch ${3:4} high ${4:12}', doc: 'A zone: managed pages, optional low, batch, high, migratetype.' },
  { label: 'pcp', snippet: 'pcp cpu ${1:0} zone ${2:Normal} order ${3:0} ${4|movable,unmovable,reclaimable|} ${5:4}', doc: 'Pages already on a per-CPU list.' },
  { label: 'task', snippet: 'task cpu ${1:0} {\n\t$0\n}', doc: 'The task running on a CPU.' },
  { label: 'irq', snippet: 'irq cpu ${1:0} {\n\t$0\n}', doc: 'A hard interrupt handler that may arrive on a CPU whenever its interrupts are enabled.' },
  { label: 'expect', snippet: 'expect ${1|no,finding|} ${2:deadlock}', doc: 'expect no <kind> | expect finding <kind> | expect pages conserved' },
];

export const MIGRATETYPES = ['unmovable', 'movable', 'reclaimable', 'highatomic', 'cma', 'isolate'];
const C_KEYWORDS = ['if', 'else', 'while', 'do', 'for', 'switch', 'case', 'default', 'break', 'continue', 'return', 'goto', 'sizeof', 'struct', 'enum', 'union', 'typedef', 'static', 'inline', 'const', 'unsigned', 'int', 'long', 'bool', 'void', 'char', 'NULL', 'true', 'false'];
/** The kernel prelude's macros a model or scenario uses (GFP flags, orders, page sizes):
 * its `___GFP_*` bit numbers and CONFIG_ symbols are implementation detail. */
const PRELUDE_MACROS = macroDefinitions(PRELUDE_FILE, PRELUDE).filter(m => !m.name.startsWith('___') && !m.name.startsWith('CONFIG_'));

const keyword = (label: string, detail?: string): CompletionItem => ({ label, kind: CompletionItemKind.Keyword, detail });

function findingKindItems(): CompletionItem[] {
  return FINDING_KIND_IDS.map((k) => ({ label: k, kind: CompletionItemKind.EnumMember, detail: 'finding kind', documentation: FINDING_KINDS[k] }));
}

export function complete(analysis: Analysis, pos: Position, read: (file: string) => string | undefined): CompletionItem[] {
  const text = analysis.text;
  if (isScenario(analysis.file) && braceDepthAt(text, offsetAt(text, pos)) === 0) return scenarioLine(analysis, prefixAt(text, pos));
  return kernelC(analysis, read, pos);
}

function scenarioLine(analysis: Analysis, prefix: string): CompletionItem[] {
  if (/^\s*[A-Za-z_]*$/.test(prefix)) {
    return SCENARIO_DECLARATIONS.map((d) => ({
      label: d.label,
      kind: CompletionItemKind.Keyword,
      detail: 'declaration',
      documentation: d.doc,
      insertText: d.snippet,
      insertTextFormat: InsertTextFormat.Snippet,
    }));
  }
  if (/^\s*expect\s+(no|finding)\s+[\w-]*$/.test(prefix)) return findingKindItems();
  if (/^\s*expect\s+pages\s+\w*$/.test(prefix)) return [keyword('conserved')];
  if (/^\s*expect\s+\w*$/.test(prefix)) return [keyword('no'), keyword('finding'), keyword('pages conserved')];
  if (/^\s*model\s+[\w.\-]*$/.test(prefix)) {
    return bundledModelSummaries().map((m) => ({ label: m.name, kind: CompletionItemKind.Module, detail: 'bundled model', documentation: m.summary }));
  }
  if (/^\s*config\s+\w*$/.test(prefix)) {
    return [
      keyword('SMP', 'several CPUs (default)'),
      keyword('UP', 'one CPU, no lock words'),
      keyword('PREEMPT_RT', 'sleeping spinlocks, threaded interrupts'),
      keyword('CONFIG_', 'any kernel configuration symbol'),
    ];
  }
  if (/^\s*config\s+\S+\s+\w*$/.test(prefix)) return [keyword('on'), keyword('off')];
  const zones = analysis.program?.scenario.zones.map((z) => z.name) ?? [];
  if (/^\s*pcp\b.*\bzone\s+\w*$/.test(prefix)) return zones.map((z) => ({ label: z, kind: CompletionItemKind.Variable, detail: 'zone' }));
  if (/^\s*pcp\b/.test(prefix)) return ['cpu', 'zone', 'order'].map((k) => keyword(k)).concat(migratetypeItems());
  if (/^\s*zone\s+\w+\s/.test(prefix)) return ['pages', 'low', 'batch', 'high', 'start'].map((k) => keyword(k)).concat(migratetypeItems());
  if (/^\s*(task|irq)\b/.test(prefix)) return [keyword('cpu'), ...(/^\s*irq/.test(prefix) ? [keyword('times')] : [])];
  return [];
}

function migratetypeItems(): CompletionItem[] {
  return MIGRATETYPES.map((m) => ({ label: m, kind: CompletionItemKind.Constant, detail: 'migratetype' }));
}

function kernelC(analysis: Analysis, read: (file: string) => string | undefined, pos: Position): CompletionItem[] {
  const items = new Map<string, CompletionItem>();
  const add = (item: CompletionItem) => {
    if (!items.has(item.label)) items.set(item.label, item);
  };
  const program = analysis.program;
  if (program !== undefined) {
    // the parameters and locals in scope here first: they hide globals of the same name
    for (const v of localsAt(program, analysis.file, pos.line + 1, pos.character + 1)) {
      add({ label: v.name, kind: CompletionItemKind.Variable, detail: v.declaration, documentation: v.kind === 'parameter' ? `parameter of ${v.owner}` : `local variable in ${v.owner}` });
    }
    for (const [name, fn] of program.model.functions) {
      add({ label: name, kind: CompletionItemKind.Function, detail: `model function (${fn.params.map((p) => p.name).join(', ')})` });
    }
    if (isScenario(analysis.file)) {
      for (const z of program.scenario.zones) add({ label: z.name, kind: CompletionItemKind.Variable, detail: `zone, ${z.pages} pages` });
    }
    for (const g of program.model.globals) add({ label: g.name, kind: CompletionItemKind.Variable, detail: 'global' });
    for (const p of program.model.percpu) add({ label: p.name, kind: CompletionItemKind.Variable, detail: 'per-CPU variable' });
    for (const [name, value] of program.model.enumConsts) add({ label: name, kind: CompletionItemKind.EnumMember, detail: `= ${value}` });
    for (const file of program.files) {
      for (const m of macroDefinitions(file, read(file) ?? '')) add({ label: m.name, kind: CompletionItemKind.Constant, detail: `#define ${m.name} ${m.body}`.trim() });
    }
    for (const tag of program.model.structs.keys()) add({ label: tag, kind: CompletionItemKind.Struct, detail: `struct ${tag}` });
  }
  for (const b of BUILTINS.values()) {
    add({
      label: b.name,
      kind: CompletionItemKind.Function,
      detail: builtinSignature(b),
      documentation: { kind: MarkupKind.Markdown, value: builtinSemantics(b, analysis) },
    });
  }
  for (const m of PRELUDE_MACROS) add({ label: m.name, kind: CompletionItemKind.Constant, detail: `#define ${m.name} ${m.body}`.trim() });
  for (const k of C_KEYWORDS) add(keyword(k));
  return [...items.values()];
}
