// The fields of the events the reconstruction reads, parsed from the text after
// `name: ` into the store's numeric columns. Formats differ only in details (trace-cmd
// and perf print pointers with 0x, the raw text without), so one parser serves all three.
import { EV, LOCK_FLAGS } from './eventKinds';
import type { EventStore } from './store';
import { eqAt } from './header';

const ZERO = 48;

/** Value of `key` (e.g. 'pfn=') in s[from, end): its start index, or -1. The fields come
 * in the print format's order, so the key is first looked for right where the scan is. */
function find(s: string, key: string, from: number, end: number): number {
  if (from < 0) return -1;
  if (eqAt(s, from, key)) return from + key.length;
  const sp = s.indexOf(' ', from);
  if (sp >= 0 && sp < end && eqAt(s, sp + 1, key)) return sp + 1 + key.length;
  const k = s.indexOf(key, from);
  return k >= 0 && k < end ? k + key.length : -1;
}

/** A decimal (optionally negative) or 0x-hex number at p; NaN if none. */
export function numAt(s: string, p: number, end: number): number {
  if (p < 0 || p >= end) return NaN;
  let neg = false;
  if (s.charCodeAt(p) === 45) { neg = true; p++; }
  let v = 0, digits = 0;
  if (s.charCodeAt(p) === ZERO && (s.charCodeAt(p + 1) | 32) === 120 /* x */) {
    p += 2;
    for (; p < end; p++, digits++) {
      const c = s.charCodeAt(p) | 32;
      if (c >= 48 && c <= 57) v = v * 16 + (c - 48);
      else if (c >= 97 && c <= 102) v = v * 16 + (c - 87);
      else break;
    }
  } else {
    for (; p < end; p++, digits++) {
      const c = s.charCodeAt(p);
      if (c >= 48 && c <= 57) v = v * 10 + (c - 48); else break;
    }
  }
  if (!digits) return NaN;
  return neg ? -v : v;
}

/** A pointer printed as `ffff8a2d01121050` or `0xffff8a2d01121050`: lower-case hex without 0x. */
function pointerAt(s: string, p: number, end: number): string {
  if (s.charCodeAt(p) === ZERO && (s.charCodeAt(p + 1) | 32) === 120) p += 2;
  let q = p;
  while (q < end) {
    const c = s.charCodeAt(q) | 32;
    if ((c >= 48 && c <= 57) || (c >= 97 && c <= 102)) q++; else break;
  }
  return q > p ? s.slice(p, q).toLowerCase() : '';
}

function isNullPage(s: string, p: number, end: number): boolean {
  const v = find(s, 'page=', p, end);
  return v >= 0 && (s.startsWith('0000000000000000', v) || s.startsWith('(null)', v) || s.startsWith('0x0 ', v) || s.startsWith('(nil)', v));
}

/** A few gfp_flags strings cover most allocations: compare before slicing and interning. */
const gfpRecent: { text: string; id: number }[] = [];
let gfpStore: EventStore | undefined;
function gfpId(st: EventStore, s: string, g: number, end: number): number {
  if (gfpStore !== st) { gfpStore = st; gfpRecent.length = 0; }
  const n = end - g;
  for (let k = 0; k < gfpRecent.length; k++) { const r = gfpRecent[k]; if (r.text.length === n && eqAt(s, g, r.text)) return r.id; }
  const text = s.slice(g, end);
  const id = st.strings.id(text);
  if (gfpRecent.length >= 8) gfpRecent.pop();
  gfpRecent.unshift({ text, id });
  return id;
}

let at = 0;  // where the last fast-path number ended

/** A decimal or 0x-hex number at p (no sign); sets `at` after it; -1 if none. */
function num(s: string, p: number, end: number): number {
  let v = 0, q = p;
  if (s.charCodeAt(q) === ZERO && s.charCodeAt(q + 1) === 120) {
    q += 2;
    for (; q < end; q++) {
      const c = s.charCodeAt(q);
      if (c >= 48 && c <= 57) v = v * 16 + (c - 48);
      else if (c >= 97 && c <= 102) v = v * 16 + (c - 87);
      else break;
    }
    if (q === p + 2) return -1;
  } else {
    for (; q < end; q++) { const c = s.charCodeAt(q); if (c >= 48 && c <= 57) v = v * 10 + (c - 48); else break; }
    if (q === p) return -1;
  }
  at = q;
  return v;
}

/**
 * The page events as the kernel prints them, read in one pass: `page=P pfn=0xN order=N`
 * then ` migratetype=N` and ` percpu_refill=N` or ` gfp_flags=F`. False when the text is
 * laid out otherwise (the general parser then looks for each key).
 */
function fastPage(st: EventStore, i: number, kind: number, s: string, p: number, end: number): boolean {
  let q = p;
  if (eqAt(s, q, 'page=')) { q = s.indexOf(' ', q); if (q < 0 || q >= end) return false; q++; }
  if (!eqAt(s, q, 'pfn=')) return false;
  const pfn = num(s, q + 4, end);
  if (pfn < 0 || !eqAt(s, at, ' order=')) return false;
  const order = num(s, at + 7, end);
  if (order < 0) return false;
  const isNull = pfn === 0 && (kind === EV.mm_page_alloc || kind === EV.mm_page_alloc_zone_locked) && isNullPage(s, p, end);
  st.pfn[i] = isNull ? -1 : pfn;
  st.order[i] = order;
  if (kind === EV.mm_page_free || kind === EV.mm_page_free_batched) return true;
  if (!eqAt(s, at, ' migratetype=')) return false;
  const neg = s.charCodeAt(at + 13) === 45;
  const mt = num(s, at + 13 + (neg ? 1 : 0), end);
  if (mt < 0) return false;
  st.mt[i] = neg ? -mt : mt;
  if (kind === EV.mm_page_alloc_zone_locked) {
    if (!eqAt(s, at, ' percpu_refill=')) return false;
    const r = num(s, at + 15, end);
    if (r < 0) return false;
    st.x[i] = r;
  } else if (kind === EV.mm_page_alloc && eqAt(s, at, ' gfp_flags=')) {
    st.text[i] = gfpId(st, s, at + 11, end);
  }
  return true;
}

/**
 * Fills event i's columns from its text. Returns an error message for a known event whose
 * fields are missing (a truncated line), '' when it is fine.
 */
export function parseFields(st: EventStore, i: number, kind: number, s: string, p: number, end: number): string {
  switch (kind) {
    case EV.mm_page_alloc:
    case EV.mm_page_free:
    case EV.mm_page_free_batched:
    case EV.mm_page_pcpu_drain:
    case EV.mm_page_alloc_zone_locked: {
      if (fastPage(st, i, kind, s, p, end)) return '';
      const pf = find(s, 'pfn=', p, end);
      const pfn = numAt(s, pf, end);
      if (Number.isNaN(pfn)) return 'truncated event: no pfn=';
      // a failed allocation: page is NULL and the kernel prints pfn 0
      st.pfn[i] = (kind === EV.mm_page_alloc || kind === EV.mm_page_alloc_zone_locked) && pfn === 0 && isNullPage(s, p, end) ? -1 : pfn;
      const po = find(s, 'order=', pf, end);
      const o = numAt(s, po, end);
      // mm_page_free_batched's record has no order field: its format prints `order=0` as
      // text, which `trace-cmd report -R` (raw fields) leaves out
      if (Number.isNaN(o) && !(kind === EV.mm_page_free_batched && po < 0)) return 'truncated event: no order=';
      st.order[i] = Number.isNaN(o) ? 0 : o;
      if (kind === EV.mm_page_free || kind === EV.mm_page_free_batched) return '';
      const pm = find(s, 'migratetype=', po, end);
      const m = numAt(s, pm, end);
      if (Number.isNaN(m)) return 'truncated event: no migratetype=';
      st.mt[i] = m;
      if (kind === EV.mm_page_alloc_zone_locked) {
        const r = numAt(s, find(s, 'percpu_refill=', pm, end), end);
        if (Number.isNaN(r)) return 'truncated event: no percpu_refill=';
        st.x[i] = r;
      } else if (kind === EV.mm_page_alloc) {
        const g = find(s, 'gfp_flags=', pm, end);
        if (g >= 0) st.text[i] = gfpId(st, s, g, end);
      }
      return '';
    }
    case EV.contention_begin: {
      // `ADDR (flags=NAMES)` as printed, or `lock_addr=0xADDR flags=N` as raw fields (report -R)
      const la = find(s, 'lock_addr=', p, end);
      const a = pointerAt(s, la >= 0 ? la : p, end);
      if (!a) return 'truncated event: no lock address';
      st.addr[i] = st.strings.id(a);
      const f = find(s, 'flags=', p, end);
      if (f < 0) return 'truncated event: no flags=';
      let x = 0;
      let q = f;
      while (q < end && s.charCodeAt(q) !== 41 /* ) */ && s.charCodeAt(q) !== 32) q++;
      for (const part of s.slice(f, q).split('|')) {
        const hit = LOCK_FLAGS.find(([, n]) => n === part);
        if (hit) x |= hit[0];
        else if (/^(0x[0-9a-f]+|\d+)$/i.test(part)) x |= Number(part);
      }
      st.x[i] = x;
      return '';
    }
    case EV.contention_end: {
      const la = find(s, 'lock_addr=', p, end);
      const a = pointerAt(s, la >= 0 ? la : p, end);
      if (!a) return 'truncated event: no lock address';
      st.addr[i] = st.strings.id(a);
      const r = numAt(s, find(s, 'ret=', p, end), end);
      st.x[i] = Number.isNaN(r) ? 0 : r;
      return '';
    }
    case EV.irq_handler_entry:
    case EV.irq_handler_exit: {
      const irq = numAt(s, find(s, 'irq=', p, end), end);
      if (Number.isNaN(irq)) return 'truncated event: no irq=';
      st.x[i] = irq;
      const n = find(s, kind === EV.irq_handler_entry ? 'name=' : 'ret=', p, end);
      if (n >= 0) st.text[i] = st.strings.id(s.slice(n, end));
      return '';
    }
    case EV.softirq_entry:
    case EV.softirq_exit: {
      const v = numAt(s, find(s, 'vec=', p, end), end);
      if (Number.isNaN(v)) return 'truncated event: no vec=';
      st.x[i] = v;
      return '';
    }
    default:
      // tracing_mark_write, kprobes and every other event: the text as written
      st.text[i] = st.strings.id(s.slice(p, end));
      return '';
  }
}

/** `key=value` pairs of a kprobe or other event's text: numbers where they are exact
 * (decimal, or hex short enough for a double), pointers and words as strings. */
export function keyValues(text: string): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  const re = /([A-Za-z_][\w.]*)=(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const v = m[2];
    out[m[1]] = /^-?\d{1,15}$/.test(v) || /^0x[0-9a-f]{1,13}$/i.test(v) ? Number(v) : v;
  }
  return out;
}
