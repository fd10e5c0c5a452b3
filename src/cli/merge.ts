// `lockstep merge A.json B.json...`: the JSON of the shards of one search (check --shard
// I/N --json, one per CI job) combined into one verdict per scenario: findings by kind and
// location (the shortest schedule kept), schedules and states added up (states may count
// a state twice when two shards both reach it), complete when every shard 1..N is there
// and complete. Exit codes as check's.
import * as fs from 'fs';
import { EXIT_BAD_INPUT, EXIT_EXPECTATION_FAILED, EXIT_LIMIT, EXIT_OK } from './check';
import { formatFinding, formatExpectations } from './format';
import type { Finding } from '../engine';

interface Doc {
  scenario: string; model?: string; config?: unknown;
  search: { strategy: string; schedules: number; states: number | null; complete: boolean; seconds: number; limit?: string; shard?: { index: number; count: number } };
  findings: Finding[];
  expectations: { text: string; met: boolean }[];
}

export interface MergeIo { out(line: string): void; err(line: string): void }

function readDocs(file: string, io: MergeIo): Doc[] | undefined {
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch (e) { io.err(`${file}:1:1: error: cannot read: ${(e as Error).message}`); return undefined; }
  let v: unknown;
  try { v = JSON.parse(text); } catch (e) {
    const m = /position (\d+)/.exec((e as Error).message);
    const pos = m ? Number(m[1]) : 0;
    const before = text.slice(0, pos).split('\n');
    io.err(`${file}:${before.length}:${before[before.length - 1].length + 1}: error: not JSON: ${(e as Error).message}`);
    return undefined;
  }
  const list = Array.isArray(v) ? v : [v];
  for (const d of list) {
    const ok = d && typeof d === 'object' && typeof d.scenario === 'string' && d.search && typeof d.search === 'object' && Array.isArray(d.findings) && Array.isArray(d.expectations);
    if (!ok) { io.err(`${file}:1:1: error: not the JSON of 'lockstep check --json' (scenario, search, findings, expectations)`); return undefined; }
  }
  return list as Doc[];
}

/** The expect lines judged again against the merged findings (as judge() does). */
export function rejudge(texts: string[], findings: Finding[]): { expectations: { text: string; met: boolean }[]; ok: boolean } {
  const kinds = new Set(findings.map(f => f.kind as string));
  const expectations = texts.map(text => {
    const m = /^expect (finding|no) (\S+)/.exec(text);
    const met = !m ? !kinds.has('page-accounting') : m[1] === 'finding' ? kinds.has(m[2]) : !kinds.has(m[2]);
    return { text, met };
  });
  let ok = expectations.every(e => e.met);
  if (!texts.some(t => t.startsWith('expect finding ')) && findings.length) ok = false;
  return { expectations, ok };
}

export function runMerge(files: readonly string[], io: MergeIo, json: boolean): number {
  const byScenario = new Map<string, Doc[]>();
  for (const f of files) {
    const docs = readDocs(f, io);
    if (!docs) return EXIT_BAD_INPUT;
    for (const d of docs) { const l = byScenario.get(d.scenario) ?? []; l.push(d); byScenario.set(d.scenario, l); }
  }
  let worst = EXIT_OK;
  const out: unknown[] = [];
  for (const [scenario, docs] of byScenario) {
    const strategies = new Set(docs.map(d => d.search.strategy));
    if (strategies.size > 1) { io.err(`${scenario}: error: the parts come from different strategies (${[...strategies].join(', ')})`); return EXIT_BAD_INPUT; }
    const byKey = new Map<string, Finding>();
    for (const d of docs) for (const f of d.findings) {
      const k = `${f.kind}@${f.location.file}:${f.location.line}:${f.location.column}`;
      const old = byKey.get(k);
      if (!old || f.step < old.step) byKey.set(k, f);
    }
    const findings = [...byKey.values()];
    const counts = new Set(docs.map(d => d.search.shard?.count ?? 1));
    const count = Math.max(...counts);
    const indices = new Set(docs.map(d => d.search.shard?.index ?? 1));
    const missing: number[] = [];
    for (let i = 1; i <= count; i++) if (!indices.has(i)) missing.push(i);
    const limits = docs.map(d => d.search.limit).filter((l): l is string => !!l && l !== 'first-finding');
    const complete = counts.size === 1 && missing.length === 0 && docs.every(d => d.search.complete);
    const limit = missing.length ? `missing shard(s) ${missing.join(', ')} of ${count}` : counts.size > 1 ? 'shards of different splits' : limits[0];
    const { expectations, ok } = rejudge(docs[0].expectations.map(e => e.text), findings);
    const search = {
      strategy: docs[0].search.strategy,
      schedules: docs.reduce((s, d) => s + d.search.schedules, 0),
      states: docs.reduce((s, d) => s + (d.search.states ?? 0), 0),
      complete, seconds: docs.reduce((s, d) => Math.max(s, d.search.seconds), 0),
      ...(limit ? { limit } : {}), parts: docs.length,
    };
    const expectsFinding = expectations.some(e => e.text.startsWith('expect finding '));
    const surelyFailed = expectations.some(e => !e.met && !e.text.startsWith('expect finding ')) || (!expectsFinding && findings.length > 0);
    // as check: an unexpected finding fails for sure; a missing part or a limit leaves it open
    const final = surelyFailed ? EXIT_EXPECTATION_FAILED : limit ? EXIT_LIMIT : ok ? EXIT_OK : EXIT_EXPECTATION_FAILED;
    if (final === EXIT_EXPECTATION_FAILED || (final === EXIT_LIMIT && worst === EXIT_OK)) worst = final;
    if (json) out.push({ scenario, model: docs[0].model, config: docs[0].config, search, findings, expectations });
    else {
      io.out(`${scenario}: ${final === EXIT_OK ? 'ok' : final === EXIT_LIMIT ? 'INCOMPLETE' : 'FAILED'} (${docs.length} part(s), ${search.states} states, ${search.schedules} schedules, ${complete ? 'complete' : `incomplete${limit ? `: ${limit}` : ''}`}, ${findings.length} finding(s))`);
      for (const f of findings) io.out(formatFinding(f));
      for (const l of formatExpectations(expectations)) io.out(l);
    }
  }
  if (json) io.out(JSON.stringify(out.length === 1 ? out[0] : out, null, 2));
  return worst;
}
