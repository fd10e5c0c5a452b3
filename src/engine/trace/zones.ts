// Which zone a pfn is in: from a zoneinfo's start_pfn and spanned, else x86-64's fixed
// boundaries (ZONE_DMA below 16 MiB, ZONE_DMA32 below 4 GiB, ZONE_NORMAL above).
import type { ZoneInfo } from './zoneinfo';

export interface ZoneSpan { name: string; start: number; end: number; inferred: boolean }

export const INFERRED_ZONES: ZoneSpan[] = [
  { name: 'DMA', start: 0, end: 0x1000, inferred: true },
  { name: 'DMA32', start: 0x1000, end: 0x100000, inferred: true },
  { name: 'Normal', start: 0x100000, end: Number.MAX_SAFE_INTEGER, inferred: true },
];

/** The populated zones of a zoneinfo (those with a start_pfn and pages), in order. */
export function zoneSpans(info: ZoneInfo | undefined): ZoneSpan[] {
  if (!info) return INFERRED_ZONES.map(z => ({ ...z }));
  const out = info.zones.filter(z => z.startPfn !== undefined && z.spanned > 0)
    .map(z => ({ name: z.name, start: z.startPfn!, end: z.startPfn! + z.spanned, inferred: false }));
  return out.length ? out : INFERRED_ZONES.map(z => ({ ...z }));
}

export function zoneOfPfn(zones: readonly ZoneSpan[], pfn: number): number {
  for (let z = 0; z < zones.length; z++) if (pfn >= zones[z].start && pfn < zones[z].end) return z;
  return -1;
}
