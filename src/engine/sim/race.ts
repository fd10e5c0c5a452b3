// The data-race detector: vector clocks ordered by lock release → acquire and by
// interrupt arrival and return on one CPU; two accesses to one cell of shared memory
// from different contexts, one a write, with neither ordered before the other, are a
// race (KCSAN's report). Marked accesses (READ_ONCE/WRITE_ONCE) race only with plain ones.
import type { Machine } from './machine';
import type { Context } from './state';

interface Access { ctx: number; clock: number; loc: number; marked: boolean; fn: string }
interface Shadow { write?: Access; reads: Access[] }

export class RaceDetector {
  private shadow = new Map<number, Shadow>();
  private lockClocks = new Map<number, number[]>();

  constructor(private readonly m: Machine, private readonly n: number) {}

  /** Shadow memory and lock clocks, for a machine checkpoint. Shadow entries and lock
   * clocks are never changed in place (an access or a release replaces them), so a
   * checkpoint copies the maps, not what is in them: the explorer takes one per state. */
  save(): unknown {
    return { shadow: new Map(this.shadow), locks: new Map(this.lockClocks) };
  }

  load(saved: unknown): void {
    const s = saved as { shadow: Map<number, Shadow>; locks: Map<number, number[]> };
    this.shadow = new Map(s.shadow);
    this.lockClocks = new Map(s.locks);
  }

  /** What decides future reports, for the explorer's state key: who last wrote and read
   * each cell at which clock, and the lock clocks. Not where (that only words the report).
   * Entries are combined by addition, so the maps' insertion order does not matter. */
  digest(mix: (v: number) => number): number {
    let sum = 0;
    for (const [a, sh] of this.shadow) {
      let e = mix(a);
      if (sh.write) e = mix(e ^ (sh.write.ctx * 7919 + sh.write.clock * 31 + (sh.write.marked ? 1 : 0)));
      let reads = 0;
      for (const r of sh.reads) reads = (reads + mix(r.ctx * 7919 + r.clock * 31 + (r.marked ? 1 : 0))) | 0;
      sum = (sum + mix(e ^ reads)) | 0;
    }
    for (const [a, c] of this.lockClocks) {
      let e = mix(a + 0x5bd1e995);
      for (const v of c) e = mix(e ^ v);
      sum = (sum + e) | 0;
    }
    return sum;
  }

  private access(ctx: Context, marked: boolean): Access {
    const f = ctx.frames[ctx.frames.length - 1];
    return { ctx: ctx.id, clock: ctx.vc[ctx.id], loc: this.m.curLoc, marked, fn: f ? f.fn.name : '?' };
  }

  private ordered(a: Access, ctx: Context): boolean {
    return a.ctx === ctx.id || a.clock <= ctx.vc[a.ctx];
  }

  read(ctx: Context, addr: number, marked: boolean): void {
    const s = this.shadow.get(addr);
    // a marked read (READ_ONCE) of a plainly written word is not reported: KCSAN's
    // default CONFIG_KCSAN_ASSUME_PLAIN_WRITES_ATOMIC treats aligned plain writes as atomic
    if (s?.write && !marked && !this.ordered(s.write, ctx)) this.race(ctx, addr, s.write, 'read', true);
    const acc = this.access(ctx, marked);
    const reads = s ? s.reads.slice() : [];
    const mine = reads.findIndex(r => r.ctx === ctx.id);
    if (mine >= 0) reads[mine] = acc; else reads.push(acc);
    this.shadow.set(addr, { write: s?.write, reads });
  }

  write(ctx: Context, addr: number, marked: boolean): void {
    const s = this.shadow.get(addr);
    if (s?.write && !this.ordered(s.write, ctx) && !(marked && s.write.marked)) this.race(ctx, addr, s.write, 'write', true);
    if (s) for (const r of s.reads) if (!r.marked && !this.ordered(r, ctx)) { this.race(ctx, addr, r, 'write', false); break; }
    this.shadow.set(addr, { write: this.access(ctx, marked), reads: [] });
  }

  private race(ctx: Context, addr: number, other: Access, kind: 'read' | 'write', otherWrote: boolean): void {
    const m = this.m;
    const me = this.access(ctx, false);
    const oc = m.contexts[other.ctx];
    const d = m.describeAddr(addr);
    const ol = m.locOf(other.loc);
    const ml = m.locOf(me.loc);
    const fns = [other.fn, me.fn];
    m.report('data-race',
      `BUG: KCSAN: data-race in ${fns[0]} / ${fns[1]}\n\n` +
      `${otherWrote ? 'write' : 'read'} to ${d.instance} by ${oc.label} on cpu ${oc.cpu}:\n ${other.fn}+${ol.file}:${ol.line}\n\n` +
      `${kind} to ${d.instance} by ${ctx.label} on cpu ${ctx.cpu}:\n ${me.fn}+${ml.file}:${ml.line}`,
      [oc], `:${d.cls}:${ol.file}:${ol.line}`);
  }

  acquire(ctx: Context, lock: number): void {
    const lc = this.lockClocks.get(lock);
    if (lc) for (let i = 0; i < this.n; i++) if (lc[i] > ctx.vc[i]) ctx.vc[i] = lc[i];
  }

  release(ctx: Context, lock: number): void {
    const old = this.lockClocks.get(lock);
    const lc = old ? old.slice() : new Array<number>(this.n).fill(0);
    this.lockClocks.set(lock, lc);
    for (let i = 0; i < this.n; i++) if (ctx.vc[i] > lc[i]) lc[i] = ctx.vc[i];
    ctx.vc[ctx.id]++;
  }

  /** `to` happens after everything `from` did so far (interrupt arrival, return). */
  join(to: Context, from: Context): void {
    for (let i = 0; i < this.n; i++) if (from.vc[i] > to.vc[i]) to.vc[i] = from.vc[i];
    from.vc[from.id]++;
    to.vc[to.id]++;
  }

  tick(ctx: Context): void {
    ctx.vc[ctx.id]++;
  }
}
