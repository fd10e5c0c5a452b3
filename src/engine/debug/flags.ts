// Flag words as a kernel developer reads them: a gfp_t as GFP_KERNEL or
// GFP_ATOMIC | __GFP_ZERO (from the model's own GFP macros), IRQ flags as X86_EFLAGS_IF.
import type { Machine } from '../sim/machine';
import type { CheckedProgram } from '../lang/load';

const gfpCache = new WeakMap<CheckedProgram, { composite: [string, number][]; bits: [string, number][] }>();

/** The model's GFP masks, evaluated once: composites (GFP_KERNEL) and single bits (__GFP_IO). */
function gfpMasks(m: Machine, evalConst: (text: string) => number | undefined): { composite: [string, number][]; bits: [string, number][] } {
  const p = m.program;
  let g = gfpCache.get(p);
  if (g) return g;
  const composite: [string, number][] = [];
  const bits: [string, number][] = [];
  for (const [name, mac] of p.preprocessor?.macros ?? []) {
    if (mac.params || !/^(__)?GFP_[A-Z0-9_]+$/.test(name) || name === 'GFP_MOVABLE_SHIFT') continue;
    const v = evalConst(name);
    if (v === undefined || !Number.isSafeInteger(v) || v <= 0) continue;
    const single = (v & (v - 1)) === 0;
    if (name.startsWith('__GFP_') && single) bits.push([name, v]);
    else if (name.startsWith('GFP_')) composite.push([name, v]);
  }
  // the widest composite first: GFP_KERNEL before GFP_NOIO, which it contains
  const pop = (x: number) => { let c = 0; for (let y = x; y; y &= y - 1) c++; return c; };
  composite.sort((a, b) => pop(b[1]) - pop(a[1]) || a[0].localeCompare(b[0]));
  bits.sort((a, b) => a[1] - b[1]);
  g = { composite, bits };
  gfpCache.set(p, g);
  return g;
}

/** "GFP_KERNEL | __GFP_ZERO" for a gfp_t value, or undefined when the model defines no GFP masks. */
export function gfpText(m: Machine, v: number, evalConst: (text: string) => number | undefined): string | undefined {
  if (!Number.isSafeInteger(v) || v < 0 || v > 0xffffffff) return undefined;
  if (v === 0) return '0';
  const { composite, bits } = gfpMasks(m, evalConst);
  if (!composite.length && !bits.length) return undefined;
  const exact = composite.find(([, x]) => x === v);
  if (exact) return exact[0];
  const parts: string[] = [];
  let rest = v;
  const base = composite.find(([, x]) => (v & x) === x);
  if (base) { parts.push(base[0]); rest &= ~base[1]; }
  for (const [name, bit] of bits) if (rest & bit) { parts.push(name); rest &= ~bit; }
  if (rest) parts.push(`0x${rest.toString(16)}`);
  return parts.join(' | ');
}

/** IRQ flags saved by local_irq_save / spin_lock_irqsave: X86_EFLAGS_IF says IRQs were on. */
export function irqFlagsText(v: number): string | undefined {
  if (v === 0x200) return 'X86_EFLAGS_IF';
  return undefined;
}
