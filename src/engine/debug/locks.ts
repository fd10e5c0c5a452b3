// Every lock of the simulated kernel and its state as the debugger shows it: who holds
// it (CPU and context), where it was taken, who waits, and lockdep's usage record of
// its class (IN-HARDIRQ-W / HARDIRQ-ON-W, first seen where).
import type { Machine } from '../sim/machine';
import type { Context, HeldLock } from '../sim/state';
import type { Type } from '../lang/types';
import { isStruct } from '../lang/types';
import { cellsOf, structLayout } from '../sim/layout';

const cache = new WeakMap<Machine, number[]>();

/** Addresses of every lock in static memory (globals, zones, per-CPU areas), in layout order. */
export function lockAddresses(m: Machine): number[] {
  let out = cache.get(m);
  if (out) return out;
  out = [];
  for (const r of m.regions) {
    // pages carry no locks in the models; their regions are large, so skip them
    if (r.prefix === 'page') continue;
    collect(r.type, r.base, out, 0);
  }
  cache.set(m, out);
  return out;
}

function collect(t: Type, base: number, out: number[], depth: number): void {
  if (depth > 8) return;
  if (t.kind === 'array') {
    const ec = cellsOf(t.of);
    if (!hasLock(t.of, 0)) return;
    for (let i = 0; i < t.length; i++) collect(t.of, base + i * ec, out, depth + 1);
    return;
  }
  if (!isStruct(t)) return;
  if (t.lock) { out.push(base); return; }
  const l = structLayout(t);
  for (const f of t.fields) collect(f.type, base + l.offsets[f.slot], out, depth + 1);
}

function hasLock(t: Type, depth: number): boolean {
  if (depth > 8) return false;
  if (t.kind === 'array') return hasLock(t.of, depth + 1);
  if (!isStruct(t)) return false;
  return !!t.lock || t.fields.some(f => hasLock(f.type, depth + 1));
}

export interface LockUsage { usage: string; file: string; line: number; context: string; cpu: number }

export interface LockInfo {
  addr: number;
  name: string;
  cls: string;
  kind: string;
  holders: { context: Context; held: HeldLock; where: { file: string; line: number; column: number } }[];
  waiters: Context[];
  lockdep: LockUsage[];
}

export function lockInfo(m: Machine, addr: number): LockInfo {
  const d = m.describeAddr(addr);
  const holders: LockInfo['holders'] = [];
  for (const c of m.contexts) for (const h of c.held) if (h.addr === addr) {
    const r = m.locOf(h.loc);
    holders.push({ context: c, held: h, where: { file: r?.file ?? '', line: r?.line ?? 0, column: r?.column ?? 0 } });
  }
  const waiters = m.contexts.filter(c => c.waitingOn === addr && (c.status === 'running' || c.status === 'blocked'));
  return { addr, name: d.instance, cls: d.cls, kind: lockKindAt(m, addr), holders, waiters, lockdep: lockdepUsage(m, d.cls) };
}

function lockKindAt(m: Machine, addr: number): string {
  for (const r of m.regions) {
    if (addr < r.base || addr >= r.base + r.cells) continue;
    let t: Type = r.type;
    let rel = addr - r.base;
    for (let g = 0; g < 10; g++) {
      if (t.kind === 'array') { const ec = cellsOf(t.of); rel -= Math.floor(rel / ec) * ec; t = t.of; continue; }
      if (!isStruct(t)) break;
      if (t.lock) return t.lock;
      const l = structLayout(t);
      const f = t.fields.find(x => l.offsets[x.slot] <= rel && l.offsets[x.slot] + cellsOf(x.type) > rel);
      if (!f) break;
      rel -= l.offsets[f.slot];
      t = f.type;
    }
  }
  return 'lock';
}

interface Where { file: string; line: number; ctx: string; cpu: number }

/** Lockdep's usage bits of a class, read from its saved state (the detector keeps them private). */
export function lockdepUsage(m: Machine, cls: string): LockUsage[] {
  const saved = m.lockdep.save() as { usage: Map<string, { inHardirq?: Where; hardirqOn?: Where }> };
  const u = saved.usage.get(cls);
  const out: LockUsage[] = [];
  if (u?.inHardirq) out.push({ usage: 'IN-HARDIRQ-W', file: u.inHardirq.file, line: u.inHardirq.line, context: u.inHardirq.ctx, cpu: u.inHardirq.cpu });
  if (u?.hardirqOn) out.push({ usage: 'HARDIRQ-ON-W', file: u.hardirqOn.file, line: u.hardirqOn.line, context: u.hardirqOn.ctx, cpu: u.hardirqOn.cpu });
  return out;
}
