// Names for lock addresses of contention events: the capture's lock-address file and
// /proc/kallsyms name static locks (tasklist_lock+0x0); dynamic locks (zone->lock,
// lruvec->lru_lock, pcp->lock, rq->__lock) are named from the function that took them, the
// first frame of the `<stack trace>` below the lock's own slow path.
import * as fs from 'fs';
import * as zlib from 'zlib';
import { captureName } from './detect';

/** Frames of the lock implementation itself, skipped to find the lock-taking function. */
const LOCK_INTERNAL = /^(trace_event_raw_event_|perf_trace_|__traceiter_|native_queued_spin_lock_slowpath|queued_(read|write)_lock_slowpath|__pv_queued|pv_queued|_raw_|__raw_|do_raw_|rwsem_down_|rwsem_optimistic|__down_|down_(read|write)|__mutex_lock|mutex_lock|__rt_mutex|rt_mutex|rt_spin|percpu_rwsem_wait|osq_lock|lock_acquire)/;

/** Dynamic locks of the page allocator and its neighbours, by the function taking them. */
const BY_TAKER: [RegExp, string][] = [
  [/^(rmqueue_bulk|rmqueue_buddy|free_pcppages_bulk|free_one_page|__free_pages_ok|__rmqueue|split_free_page|__isolate_free_page|reserve_highatomic|unreserve_highatomic|zone_pcp_disable|__offline_isolated_pages|compaction_alloc|isolate_freepages)/, 'zone->lock'],
  [/^(drain_pages_zone|drain_zone_pages|decay_pcp_high|free_unref_page|__free_unref_page|rmqueue_pcplist|pcp_spin)/, 'pcp->lock'],
  [/^(folio_lruvec_lock|lruvec_lock|folio_lruvec_relock|lru_add_drain|move_folios_to_lru|shrink_active_list|shrink_inactive_list|release_pages|folios_put)/, 'lruvec->lru_lock'],
  [/^(raw_spin_rq_lock|scheduler_tick|try_to_wake_up|move_queued_task|__schedule|sched_ttwu_pending|ttwu_queue|__task_rq_lock|task_rq_lock|load_balance|newidle_balance)/, 'rq->__lock'],
];

export function lockTaker(frames: readonly string[]): string | undefined {
  return frames.find(f => !LOCK_INTERNAL.test(f));
}

export function lockNameFromTaker(fn: string | undefined): string | undefined {
  if (!fn) return undefined;
  for (const [re, name] of BY_TAKER) if (re.test(fn)) return name;
  return undefined;
}

export class LockNames {
  private readonly byAddr = new Map<string, string>();
  private syms: { addr: bigint; name: string }[] = [];

  /** `lock-addrs-<s>.txt`: `count  address (flags=...)  symbol+0x0` lines. */
  addLockAddrsFile(file: string): void {
    const text = fs.readFileSync(file, 'latin1');
    for (const line of text.split('\n')) {
      const m = /^\s*\d+\s+([0-9a-f]{8,16})\s+\(flags=[^)]*\)\s+(\S+\+0x[0-9a-f]+)\s*$/i.exec(line);
      if (m) this.byAddr.set(m[1].toLowerCase(), m[2]);
    }
  }

  /** /proc/kallsyms (plain or .gz): the data symbols, for static locks. */
  addKallsyms(file: string): void {
    let buf = fs.readFileSync(file);
    if (buf[0] === 0x1f && buf[1] === 0x8b) buf = zlib.gunzipSync(buf);
    const text = buf.toString('latin1');
    const syms: { addr: bigint; name: string }[] = [];
    let p = 0;
    while (p < text.length) {
      let e = text.indexOf('\n', p);
      if (e < 0) e = text.length;
      // `ffffffffaf606080 D tasklist_lock`: data, bss and read-only data symbols
      const t = text.charCodeAt(p + 17) | 32;
      if (text.charCodeAt(p + 16) === 32 && (t === 100 || t === 98 || t === 114)) {
        let ne = text.indexOf(' ', p + 19);
        if (ne < 0 || ne > e) ne = e;
        const a = BigInt(`0x${text.slice(p, p + 16)}`);
        if (a !== 0n) syms.push({ addr: a, name: text.slice(p + 19, ne).replace(/\t.*/, '') });
      }
      p = e + 1;
    }
    syms.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
    this.syms = syms;
  }

  /** `symbol+0xoff` for a static address within 4 KiB of a data symbol, else undefined. */
  symbolOf(addr: string): string | undefined {
    const known = this.byAddr.get(addr);
    if (known) return known;
    if (!this.syms.length || !/^[0-9a-f]+$/.test(addr)) return undefined;
    const a = BigInt(`0x${addr}`);
    let lo = 0, hi = this.syms.length - 1, best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.syms[mid].addr <= a) { best = mid; lo = mid + 1; } else hi = mid - 1;
    }
    if (best < 0) return undefined;
    const off = a - this.syms[best].addr;
    if (off >= 4096n) return undefined;
    return `${this.syms[best].name}+0x${off.toString(16)}`;
  }

  /** A name for the lock at `addr`, taken by the function `taker`. */
  name(addr: string, taker: string | undefined): string {
    const sym = this.symbolOf(addr);
    if (sym) return sym.endsWith('+0x0') ? sym.slice(0, -4) : sym;
    const dyn = lockNameFromTaker(taker);
    return dyn ? `${dyn} (${addr})` : taker ? `lock ${addr} (taken in ${taker})` : `lock ${addr}`;
  }
}

/** The lock-addrs and kallsyms files that sit next to a capture's trace, if any. */
export function lockNamesBeside(traceFile: string): LockNames {
  const names = new LockNames();
  const dir = require('path').dirname(traceFile) as string;
  const base = require('path').basename(traceFile) as string;
  const c = captureName(base);
  if (!c) return names;
  const la = `${dir}/lock-addrs-${c}.txt`;
  const ks = [`${dir}/kallsyms-${c}.gz`, `${dir}/kallsyms-${c}`, `${dir}/kallsyms-${c}.txt`];
  try { if (fs.existsSync(la)) names.addLockAddrsFile(la); } catch { /* unreadable: addresses stay unnamed */ }
  for (const k of ks) { try { if (fs.existsSync(k)) { names.addKallsyms(k); break; } } catch { /* idem */ } }
  return names;
}
