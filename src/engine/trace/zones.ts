// Which zone a pfn is in: from a zoneinfo's start_pfn and spanned, else x86-64's fixed
// boundaries (ZONE_DMA below 16 MiB, ZONE_DMA32 below 4 GiB, ZONE_NORMAL above).
import type { ZoneInfo, ZoneInfoZone } from './zoneinfo';

/** A zone's pfn span. `name` is what reports show: the kernel's zone name, with its node on a
 * machine of several (every node has its own Normal zone, and each CPU a pcp in each). */
export interface ZoneSpan { name: string; node: number; zone: string; start: number; end: number; inferred: boolean }

export const INFERRED_ZONES: ZoneSpan[] = [
  { name: 'DMA', node: 0, zone: 'DMA', start: 0, end: 0x1000, inferred: true },
  { name: 'DMA32', node: 0, zone: 'DMA32', start: 0x1000, end: 0x100000, inferred: true },
  { name: 'Normal', node: 0, zone: 'Normal', start: 0x100000, end: Number.MAX_SAFE_INTEGER, inferred: true },
];

/** The name a zoneinfo zone is shown by: `DMA32`, or `Node 1 Normal` when the zoneinfo has
 * more than one node. */
export function zoneName(info: ZoneInfo, z: ZoneInfoZone): string {
  return info.zones.some(x => x.node !== info.zones[0].node) ? `Node ${z.node} ${z.name}` : z.name;
}

/** The zone of a zoneinfo that a span stands for (same node and kernel name). */
export function zoneInfoOf(info: ZoneInfo | undefined, span: ZoneSpan): ZoneInfoZone | undefined {
  return info?.zones.find(x => x.node === span.node && x.name === span.zone);
}

/** The populated zones of a zoneinfo (those with a start_pfn and pages), in order. */
export function zoneSpans(info: ZoneInfo | undefined): ZoneSpan[] {
  if (!info) return INFERRED_ZONES.map(z => ({ ...z }));
  const out = info.zones.filter(z => z.startPfn !== undefined && z.spanned > 0)
    .map(z => ({ name: zoneName(info, z), node: z.node, zone: z.name, start: z.startPfn!, end: z.startPfn! + z.spanned, inferred: false }));
  return out.length ? out : INFERRED_ZONES.map(z => ({ ...z }));
}

export function zoneOfPfn(zones: readonly ZoneSpan[], pfn: number): number {
  for (let z = 0; z < zones.length; z++) if (pfn >= zones[z].start && pfn < zones[z].end) return z;
  return -1;
}
