// The text column of the events a trace.dat holds, where the text importers keep the text
// after `name: `: gfp_flags decoded with the event's own __print_flags table, trace_printk
// messages, and the rest (kprobes, tracepoints the reconstruction does not model) printed
// from their print fmt.
import type { EventPlan } from './events';
import { compiled } from './events';
import type { FieldReader } from './fieldReader';
import type { Symbols } from './symbols';
import { argAfter, evaluate, render } from './printFmt';
import { PrintkFormats, unpackBprint } from './printk';

/** gfp_flags as the print fmt's __print_flags table names them; the hex value if it cannot be evaluated. */
export function gfpText(plan: EventPlan, rd: FieldReader): string {
  let text = `0x${rd.big(plan.gfp!.offset, plan.gfp!.size, false).toString(16)}`;
  const c = compiled(plan);
  if (plan.gfpArg === undefined) plan.gfpArg = c ? argAfter(c, 'gfp_flags=') : null;
  if (plan.gfpArg) {
    try { const t = evaluate(plan.gfpArg, plan.format, rd); if (typeof t === 'string') text = t; } catch { /* keep the hex value */ }
  }
  return text;
}

/**
 * The text of an event the reconstruction does not model (kprobes, other tracepoints): its
 * print fmt evaluated, kprobes' `(%lx)` address shown as the kernel shows it
 * (`(free_pcppages_bulk+0x0/0x2e0)`); key=value pairs of its own fields when the print fmt
 * cannot be evaluated.
 */
export function otherText(plan: EventPlan, rd: FieldReader, symbols: Symbols): string {
  const c = compiled(plan);
  if (c) {
    try {
      let s = render(c, plan.format, rd);
      if (plan.probeIp && s.startsWith('(') && rd.fits(plan.probeIp)) {
        const close = s.indexOf(')');
        const sym = symbols.withOffset(rd.big(plan.probeIp.offset, plan.probeIp.size, false));
        if (close > 0 && sym) s = `(${sym})${s.slice(close + 1)}`;
      }
      return s;
    } catch { /* fall through to key=value */ }
  }
  const parts: string[] = [];
  for (const f of plan.format.fields) {
    if (f.name.startsWith('common_') || !rd.fits(f)) continue;
    let v: string;
    try {
      if (f.dataLoc || (f.arrayLen >= 0 && /char/.test(f.type))) v = rd.string(f);
      else if (f.arrayLen > 0) v = `{${Array.from({ length: f.arrayLen }, (_, k) => rd.number(f, k).toString()).join(',')}}`;
      else if (f.type.includes('*') || f.name === '__probe_ip') v = `0x${rd.big(f.offset, f.size, false).toString(16)}`;
      else v = rd.big(f.offset, f.size, f.signed).toString();
    } catch { continue; }
    parts.push(`${f.name}=${v}`);
  }
  return parts.join(' ');
}

/** A trace_printk record as `function: message` (trace-cmd's form); null if its format string is not in the file. */
export function printkText(plan: EventPlan, rd: FieldReader, printk: PrintkFormats, longSize: number): string | null {
  const pk = plan.printk!;
  if (!rd.fits(pk.ip) || !rd.fits(pk.str)) return null;
  const fn = rd.symbols.name(rd.big(pk.ip.offset, pk.ip.size, false)) || `0x${rd.big(pk.ip.offset, pk.ip.size, false).toString(16)}`;
  const fmt = printk.get(rd.big(pk.str.offset, pk.str.size, false));
  if (fmt === null) return null;
  let msg = fmt;
  if (pk.kind === 'bprint') {
    if (!pk.buf) return null;
    const a = rd.start + pk.buf.offset, b = rd.start + rd.length;
    try { msg = unpackBprint(fmt, rd.data.subarray(Math.min(a, b), b), rd.bigEndian, longSize, rd); } catch { return null; }
  }
  if (msg.endsWith('\n')) msg = msg.slice(0, -1);
  return `${fn}: ${msg}`;
}
