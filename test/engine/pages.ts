// Page accounting on every test run (not a suite: no .test in the name).
//
// Every engine test that runs a scenario goes through `runAccounted` / `checkAccounted`
// (or calls `assertPagesAccounted` itself), which, after the run:
//  1. fails on a page-accounting finding the scenario does not `expect finding`;
//  2. when the run ended quiescent (no lock held, no context inside the model), counts
//     the pages again from the machine's memory, independently of the engine's own
//     checker and of the model's counters: every page of every zone in exactly one
//     place (a buddy free list, a pcp list, or handed out to a scenario block),
//     pcp->count and nr_free equal to what their lists hold, buddy pages marked buddy
//     with their order, and NR_FREE_PAGES equal to the buddy's pages when the model
//     maintains that counter.
import * as assert from 'node:assert/strict';
import {
  checkScenario, runScenario, CheckedProgram, CheckResult, Finding, Machine, RunOptions, RunResult,
} from '../../src/engine';
import { cellsOf, offsetOf } from '../../src/engine/sim/layout';
import { MAX_ORDER, pindexToOrder } from '../../src/engine/sim/zones';
import { PG_BUDDY } from '../../src/engine/sim/prims';

export interface ZoneCensus {
  zone: string;
  pages: number;
  buddy: number;
  pcp: number;
  handedOut: number;
}

function expectsAccountingFinding(program: CheckedProgram): boolean {
  return program.scenario.expects.some(e => e.kind === 'finding' && e.finding === 'page-accounting');
}

function describe(fs: readonly Finding[]): string {
  return fs.map(f => `${f.location.file}:${f.location.line}: ${f.message.split('\n')[0]} [schedule ${f.schedule}]`).join('\n');
}

/** No page-accounting finding unless the scenario expects one. */
export function assertNoUnexpectedAccounting(program: CheckedProgram, findings: readonly Finding[], what: string): void {
  if (expectsAccountingFinding(program)) return;
  const bad = findings.filter(f => f.kind === 'page-accounting');
  assert.equal(bad.length, 0, `${what}: unexpected page-accounting finding(s):\n${describe(bad)}`);
}

/**
 * Counts every page of every zone from the machine's memory. Returns one census per
 * zone; throws (assert) on a page in two places or none and on a counter that
 * disagrees with its list.
 */
export function censusOf(m: Machine, what: string): ZoneCensus[] {
  const mem = m.mem;
  const zs = m.zoneStruct;
  const pcps = m.pcpStruct;
  const fa = m.program.model.structs.get('free_area')!;
  const faCells = cellsOf(fa);
  const freeArea = offsetOf(zs, 'free_area');
  const freeListOff = offsetOf(fa, 'free_list');
  const nrFreeOff = offsetOf(fa, 'nr_free');
  const nMigrate = cellsOf(fa.fieldMap.get('free_list')!.type) / 2;
  const nLists = cellsOf(pcps.fieldMap.get('lists')!.type) / 2;
  const lru = offsetOf(m.pageStruct, 'lru');
  const flagsOff = offsetOf(m.pageStruct, 'flags');
  const privateOff = offsetOf(m.pageStruct, 'private');
  const out: ZoneCensus[] = [];

  for (const z of m.zones) {
    const where = new Map<number, string>();
    const place = (pfn: number, order: number, label: string) => {
      for (let k = 0; k < 1 << order; k++) {
        const p = pfn + k;
        assert.ok(p >= z.startPfn && p < z.startPfn + z.pages, `${what}: ${label} holds pfn ${p}, outside zone ${z.name}`);
        const old = where.get(p);
        assert.equal(old, undefined, `${what}: page pfn ${p} of zone ${z.name} is both ${old} and ${label}`);
        where.set(p, label);
      }
    };
    // the pages of a list, following next and checking each prev on the way
    const walk = (head: number, label: string): number[] => {
      const pages: number[] = [];
      let prev = head;
      let node = mem[head];
      for (let guard = 0; node !== head; guard++) {
        assert.ok(guard <= z.pages, `${what}: ${label} of zone ${z.name} does not come back to its head`);
        assert.equal(mem[node + 1], prev, `${what}: ${label} of zone ${z.name} has a broken prev link at 0x${node.toString(16)}`);
        const p = m.pageOf(node - lru);
        assert.ok(p && p.zone === z, `${what}: ${label} of zone ${z.name} links 0x${node.toString(16)}, which is not one of its pages`);
        pages.push(p.pfn);
        prev = node;
        node = mem[node];
      }
      return pages;
    };

    let buddy = 0;
    for (let o = 0; o < MAX_ORDER; o++) {
      let blocks = 0;
      for (let mt = 0; mt < nMigrate; mt++) {
        const label = `in free_area[${o}].free_list[${mt}]`;
        for (const pfn of walk(z.addr + freeArea + o * faCells + freeListOff + mt * 2, label)) {
          const page = m.pageAddr(z, pfn);
          assert.ok((mem[page + flagsOff] & PG_BUDDY) !== 0, `${what}: pfn ${pfn} ${label} of zone ${z.name} is not marked PageBuddy`);
          assert.equal(mem[page + privateOff], o, `${what}: pfn ${pfn} ${label} of zone ${z.name} has buddy order ${mem[page + privateOff]}`);
          place(pfn, o, label);
          blocks++;
        }
      }
      const nrFree = mem[z.addr + freeArea + o * faCells + nrFreeOff];
      assert.equal(nrFree, blocks, `${what}: zone ${z.name} free_area[${o}].nr_free is ${nrFree}, its lists hold ${blocks} block(s)`);
      buddy += blocks << o;
    }

    let pcp = 0;
    for (let c = 0; c < m.ncpus; c++) {
      const base = m.pcpAddr(z.index, c);
      let onLists = 0;
      for (let k = 0; k < nLists; k++) {
        const order = pindexToOrder(k);
        const label = `on CPU ${c}'s pcp list ${k}`;
        for (const pfn of walk(base + offsetOf(pcps, 'lists') + 2 * k, label)) {
          place(pfn, order, label);
          onLists += 1 << order;
        }
      }
      const count = mem[base + offsetOf(pcps, 'count')];
      assert.equal(count, onLists, `${what}: pcp->count of CPU ${c} zone ${z.name} is ${count}, its lists hold ${onLists} page(s)`);
      pcp += onLists;
    }

    let handedOut = 0;
    for (const [page, order] of m.accounting.allocated) {
      const p = m.pageOf(page);
      if (!p || p.zone !== z) continue;
      place(p.pfn, order, 'handed out to a scenario block');
      handedOut += 1 << order;
    }

    for (let i = 0; i < z.pages; i++) {
      assert.ok(where.has(z.startPfn + i), `${what}: page pfn ${z.startPfn + i} of zone ${z.name} is nowhere (not in the buddy, on no pcp list, not handed out)`);
    }
    if (m.accounting.zonesWithFreeCounter.has(z.addr)) {
      const nrFreePages = mem[z.addr + offsetOf(zs, 'vm_stat')];
      assert.equal(nrFreePages, buddy, `${what}: zone ${z.name} NR_FREE_PAGES is ${nrFreePages}, the buddy holds ${buddy} page(s)`);
    }
    out.push({ zone: z.name, pages: z.pages, buddy, pcp, handedOut });
  }
  return out;
}

/**
 * After a run: no unexpected page-accounting finding, and, when the machine is
 * quiescent and the scenario does not expect the model to lose pages, an independent
 * census that adds up. Returns the census (undefined when the run ended mid-model).
 */
export function assertPagesAccounted(program: CheckedProgram, r: RunResult, what: string): ZoneCensus[] | undefined {
  assertNoUnexpectedAccounting(program, r.findings, what);
  if (expectsAccountingFinding(program) || !r.machine.quiescent()) return undefined;
  return censusOf(r.machine, what);
}

/** runScenario, then the accounting checks. */
export function runAccounted(program: CheckedProgram, options: RunOptions, what: string): RunResult {
  const r = runScenario(program, options);
  assertPagesAccounted(program, r, what);
  return r;
}

/**
 * checkScenario, then the accounting checks: on the check's own findings, on a
 * round-robin run recounted by `censusOf`, and on the replay of every finding's
 * schedule.
 */
export function checkAccounted(program: CheckedProgram, what: string, options: Parameters<typeof checkScenario>[1] = {}): CheckResult {
  const c = checkScenario(program, options);
  assertNoUnexpectedAccounting(program, c.findings, `${what} (check)`);
  runAccounted(program, { strategy: 'roundrobin', maxSteps: options.maxSteps }, `${what} (round-robin)`);
  for (const f of c.findings) runAccounted(program, { schedule: f.schedule }, `${what} (replay of ${f.kind} at step ${f.step})`);
  return c;
}
