// Scenario files: line-oriented declarations plus brace blocks of Kernel C. This file
// reads the declarations and applies the rules of languages.md; the blocks' tokens are
// kept for the model's preprocessor and the Kernel C parser.
import { DiagnosticBag, Range, suggest } from './diagnostics';
import { Token, rangeOf, stringValue } from './lexer';
import { FINDING_KIND_IDS, isFindingKind } from '../findingKinds';
import type * as A from './ast';

export const MAX_CPUS = 256;
export const MIGRATETYPES = ['unmovable', 'movable', 'reclaimable', 'highatomic', 'cma', 'isolate'] as const;
export type MigrateName = typeof MIGRATETYPES[number];

export interface ModelRef { name: string; quoted: boolean; range: Range }
export interface ConfigLine { name: string; value: string | number | boolean; range: Range }
export interface ZoneLine {
  name: string; pages: number; low?: number; batch?: number; high?: number; start?: number;
  migratetype: MigrateName; range: Range; nameRange: Range;
}
export interface PcpLine { cpu: number; cpuRange: Range; zone: string; zoneRange: Range; order: number; migratetype: MigrateName; count: number; range: Range }
export interface BlockLine {
  kind: 'task' | 'irq';
  cpu: number;
  cpuRange: Range;
  times: number;               // irq: how often it may arrive
  tokens: Token[];             // the body, between the braces
  open: Range;                 // the block's header
  range: Range;
  body?: A.Stmt[];             // filled once the model is known
  frameSize?: number;
}
export interface ExpectLine { kind: 'no' | 'finding' | 'conserved'; finding?: string; text: string; range: Range }

export interface Scenario {
  file: string;
  title?: string;
  model?: ModelRef;
  configs: ConfigLine[];
  cpus?: number;
  cpusRange?: Range;
  zones: ZoneLine[];
  pcps: PcpLine[];
  blocks: BlockLine[];
  expects: ExpectLine[];
  smp: boolean;
  preemptRt: boolean;
}

const KEYWORDS = ['scenario', 'model', 'config', 'cpus', 'zone', 'pcp', 'task', 'irq', 'expect'];

export function parseScenario(file: string, toks: Token[], diags: DiagnosticBag): Scenario {
  const sc: Scenario = { file, configs: [], zones: [], pcps: [], blocks: [], expects: [], smp: true, preemptRt: false };
  const seen = new Map<string, Range>();
  let i = 0;
  const once = (key: string, at: Range): boolean => {
    const first = seen.get(key);
    if (first) { diags.error(at, 'N002', key, first.line); return false; }
    seen.set(key, at);
    return true;
  };

  while (toks[i].kind !== 'eof') {
    const head = toks[i];
    // the declaration's tokens: up to the next line start (blocks are taken whole)
    let j = i + 1;
    while (!toks[j].bol && toks[j].kind !== 'eof' && toks[j].text !== '{') j++;
    const line = toks.slice(i, j);
    i = j;
    if (head.kind !== 'ident' || !KEYWORDS.includes(head.text)) {
      diags.error(head, 'N001', head.text, head.kind === 'ident' ? suggest(head.text, KEYWORDS) : '');
      if (toks[i].text === '{') i = skipBlock(toks, i);
      continue;
    }
    const r = new LineReader(line, diags);
    r.pos = 1;
    const whole = rangeOf(head, line[line.length - 1]);
    try {
      switch (head.text) {
        case 'scenario': {
          const t = r.take('a quoted title');
          if (t.kind !== 'string') diags.error(t, 'N013', 'a quoted title', 'scenario');
          if (once('scenario', whole)) sc.title = stringValue(t.text);
          break;
        }
        case 'model': {
          const t = r.peek();
          if (!t) { diags.error(head, 'N013', 'a model name or a quoted path', 'model'); break; }
          const quoted = t.kind === 'string';
          const name = quoted ? (r.pos++, stringValue(t.text)) : r.word('a model name');
          if (once('model', whole)) sc.model = { name, quoted, range: rangeOf(t, r.last()) };
          break;
        }
        case 'config': {
          const nameTok = r.take('a configuration name');
          const name = nameTok.text;
          const valTok = r.peek();
          let value: string | number | boolean = true;
          if (valTok) {
            r.pos++;
            if (valTok.kind === 'number') value = valTok.value ?? 0;
            else if (valTok.text === 'on' || valTok.text === 'y') value = true;
            else if (valTok.text === 'off' || valTok.text === 'n') value = false;
            else { diags.error(valTok, 'N016', name); break; }
          }
          const on = value === true || (typeof value === 'number' && value !== 0);
          if (name === 'UP' || name === 'SMP') {
            // `config UP` alone, or with a value as the other config lines take one (`config SMP off`)
            if (once('config SMP/UP', whole)) sc.smp = name === 'SMP' ? on : !on;
          } else if (name === 'PREEMPT_RT' || name === 'CONFIG_PREEMPT_RT') {
            if (once('config PREEMPT_RT', whole)) sc.preemptRt = on;
          } else if (name.startsWith('CONFIG_')) {
            if (name === 'CONFIG_SMP') { if (once('config SMP/UP', whole)) sc.smp = on; }
            else if (once(`config ${name}`, whole)) sc.configs.push({ name, value, range: whole });
          } else {
            diags.error(nameTok, 'N017', name);
          }
          break;
        }
        case 'cpus': {
          const n = r.number('the number of CPUs');
          if (n < 1 || n > MAX_CPUS) diags.error(r.last(), 'N010', MAX_CPUS, n);
          if (once('cpus', whole)) { sc.cpus = n; sc.cpusRange = whole; }
          break;
        }
        case 'zone': {
          const nameTok = r.take('a zone name');
          if (nameTok.kind !== 'ident') { diags.error(nameTok, 'N013', 'a zone name', 'zone'); break; }
          const z: ZoneLine = { name: nameTok.text, pages: 0, migratetype: 'movable', range: whole, nameRange: rangeOf(nameTok) };
          let hasPages = false;
          while (r.peek()) {
            const k = r.take('a zone attribute');
            switch (k.text) {
              case 'pages': z.pages = r.number('a page count'); hasPages = true; break;
              case 'low': z.low = r.number('the low watermark in pages'); break;
              case 'batch':
                z.batch = r.number('the pcp batch');
                // the kernel never runs a pcp with batch 0 (zone_batchsize and pageset_update keep it >= 1)
                if (z.batch < 1) diags.error(r.last(), 'N021', z.batch);
                break;
              case 'high': z.high = r.number('the pcp high mark'); break;
              case 'start': z.start = r.number('the first pfn'); break;
              default:
                if ((MIGRATETYPES as readonly string[]).includes(k.text)) z.migratetype = k.text as MigrateName;
                else diags.error(k, 'N001', k.text, suggest(k.text, ['pages', 'low', 'batch', 'high', 'start', ...MIGRATETYPES]));
            }
          }
          if (!hasPages) diags.error(nameTok, 'N013', "'pages <count>'", `zone ${z.name}`);
          if (sc.zones.some(x => x.name === z.name)) diags.error(nameTok, 'N014', z.name);
          else sc.zones.push(z);
          break;
        }
        case 'pcp': {
          r.keyword('cpu');
          const cpuTok = r.peek();
          const cpu = r.number('a CPU number');
          r.keyword('zone');
          const zoneTok = r.take('a zone name');
          r.keyword('order');
          const orderTok = r.peek();
          const order = r.number('an order');
          if (order < 0 || order > 10) diags.error(orderTok ?? head, 'N012', order);
          const mtTok = r.take('a migratetype');
          const known = (MIGRATETYPES as readonly string[]).includes(mtTok.text);
          if (!known) diags.error(mtTok, 'N011', mtTok.text, suggest(mtTok.text, MIGRATETYPES));
          const count = r.number('a page count');
          sc.pcps.push({ cpu, cpuRange: rangeOf(cpuTok ?? head), zone: zoneTok.text, zoneRange: rangeOf(zoneTok), order, migratetype: known ? mtTok.text as MigrateName : 'movable', count, range: rangeOf(cpuTok ?? head, r.last()) });
          break;
        }
        case 'task': case 'irq': {
          r.keyword('cpu');
          const cpuTok = r.peek();
          const cpu = r.number('a CPU number');
          let times = 1;
          if (head.text === 'irq' && r.peek()?.text === 'times') {
            r.pos++;
            times = r.number('how many times the interrupt may arrive');
            if (times < 1) diags.error(r.last(), 'N013', 'a positive count', 'times');
          }
          r.end();
          if (toks[i].text !== '{') {
            diags.error(toks[i], 'S001', "'{'", toks[i].kind === 'eof' ? 'end of file' : `'${toks[i].text}'`);
            continue;
          }
          const open = toks[i];
          const close = matchBrace(toks, i);
          const body = toks.slice(i + 1, close < 0 ? toks.length - 1 : close);
          if (close < 0) {
            diags.error(open, 'S001', "'}' to close this block", 'end of file');
            i = toks.length - 1;
          } else i = close + 1;
          // an unclosed block ends at its last token (the end of file has no width)
          const last = close < 0 ? body[body.length - 1] ?? open : toks[close];
          const blk: BlockLine = { kind: head.text as 'task' | 'irq', cpu, cpuRange: rangeOf(cpuTok ?? head), times, tokens: body, open: rangeOf(head, open), range: rangeOf(head, last) };
          sc.blocks.push(blk);
          continue;
        }
        case 'expect': {
          const k = r.take("'no', 'finding' or 'pages conserved'");
          if (k.text === 'pages') {
            r.keyword('conserved');
            sc.expects.push({ kind: 'conserved', text: 'expect pages conserved', range: whole });
          } else if (k.text === 'no' || k.text === 'finding') {
            const kt = r.peek();
            const kind = r.word('a finding kind');
            if (!isFindingKind(kind)) diags.error(rangeOf(kt ?? k, r.last()), 'N006', kind, suggest(kind, FINDING_KIND_IDS));
            sc.expects.push({ kind: k.text, finding: kind, text: `expect ${k.text} ${kind}`, range: whole });
          } else {
            diags.error(k, 'N013', "'no <kind>', 'finding <kind>' or 'pages conserved'", 'expect');
          }
          break;
        }
      }
      r.end();
    } catch (e) {
      if (!(e instanceof LineError)) throw e;
    }
    if (toks[i].text === '{' && head.text !== 'task' && head.text !== 'irq') {
      diags.error(toks[i], 'N013', 'the end of the line', head.text);
      i = skipBlock(toks, i);
    }
  }

  // rules that need the whole file
  const top: Range = { file, line: 1, column: 1, endLine: 1, endColumn: 1 };
  if (!sc.model && !seen.has('model')) diags.error(top, 'N003', 'model');
  if (sc.cpus === undefined && !seen.has('cpus')) diags.error(top, 'N003', 'cpus');
  if (!sc.smp && sc.cpus !== undefined && sc.cpus !== 1) diags.error(sc.cpusRange!, 'N005', sc.cpus);
  if (!sc.blocks.some(b => b.kind === 'task')) diags.error(top, 'N015');
  const cpus = sc.cpus ?? 1;
  // with an invalid cpus line (already reported) there is no range to check against
  const validCpus = sc.cpus !== undefined && sc.cpus >= 1 && sc.cpus <= MAX_CPUS;
  const checkCpu = (cpu: number, at: Range) => {
    if (validCpus && (cpu < 0 || cpu >= cpus)) diags.error(at, 'N004', cpu, cpus, cpus - 1);
  };
  for (const b of sc.blocks) checkCpu(b.cpu, b.cpuRange);
  const asked = new Map<string, number>();
  for (const p of sc.pcps) {
    checkCpu(p.cpu, p.cpuRange);
    const zone = sc.zones.find(z => z.name === p.zone);
    if (!zone) { diags.error(p.zoneRange, 'N009', p.zone, suggest(p.zone, sc.zones.map(z => z.name))); continue; }
    // pcp lines take their pages from the zone's buddy: more than the zone has is a mistake,
    // not a silently shorter list
    if (p.order < 0 || p.order > 10) continue; // reported at the order
    const total = (asked.get(p.zone) ?? 0) + p.count * 2 ** p.order;
    asked.set(p.zone, total);
    if (total > zone.pages) diags.error(p.range, 'N020', p.zone, total, zone.pages);
  }
  return sc;
}

class LineError extends Error {}

class LineReader {
  pos = 0;
  constructor(private readonly t: Token[], private readonly diags: DiagnosticBag) {}
  peek(): Token | undefined { return this.t[this.pos]; }
  last(): Token { return this.t[Math.max(0, this.pos - 1)]; }
  take(what: string): Token {
    const t = this.t[this.pos];
    if (!t) {
      this.diags.error(this.last(), 'N013', what, this.last().text);
      throw new LineError();
    }
    this.pos++;
    return t;
  }
  keyword(k: string): void {
    const t = this.take(`'${k}'`);
    if (t.text !== k) { this.diags.error(t, 'N013', `'${k}'`, this.t[this.pos - 2]?.text ?? ''); throw new LineError(); }
  }
  number(what: string): number {
    const t = this.take(what);
    if (t.kind !== 'number' || t.text.includes('.')) { this.diags.error(t, 'N013', what, this.t[this.pos - 2]?.text ?? ''); throw new LineError(); }
    return t.value ?? 0;
  }
  /** A name that may contain '-' and '.': pcp-spinlock-v1, v6.1, mutual-exclusion. */
  word(what: string): string {
    const first = this.take(what);
    let s = first.text;
    while (this.t[this.pos] && !this.t[this.pos].space) s += this.t[this.pos++].text;
    return s;
  }
  end(): void {
    const t = this.t[this.pos];
    if (t) {
      this.diags.error(rangeOf(t, this.t[this.t.length - 1]), 'N013', 'the end of the line', this.last().text);
      throw new LineError();
    }
  }
}

function matchBrace(toks: Token[], open: number): number {
  let level = 0;
  for (let k = open; k < toks.length; k++) {
    const t = toks[k];
    if (t.kind !== 'punct') continue;
    if (t.text === '{') level++;
    else if (t.text === '}' && --level === 0) return k;
  }
  return -1;
}

function skipBlock(toks: Token[], open: number): number {
  const close = matchBrace(toks, open);
  return close < 0 ? toks.length - 1 : close + 1;
}
