// /proc/zoneinfo: per zone its pfn span, watermarks, managed pages and, under `pagesets`,
// each CPU's pcp count, high and batch (the starting state of a replay, and what the
// reconstruction is compared with at each SNAPSHOT marker).
import { readLines, readTextLines } from './lineReader';
import { readableFile } from './compressed';

export interface ZonePcpInfo { cpu: number; count: number; high: number; batch: number }
export interface ZoneInfoZone {
  node: number;
  name: string;
  free: number;
  min: number; low: number; high: number;
  spanned: number; present: number; managed: number;
  /** absent for empty zones */
  startPfn?: number;
  pcp: ZonePcpInfo[];
}
export interface ZoneInfo { file: string; zones: ZoneInfoZone[] }

export class ZoneInfoError extends Error {
  constructor(readonly file: string, readonly line: number, message: string) { super(message); }
}

export function parseZoneInfo(file: string): ZoneInfo {
  const p = new ZoneInfoParser(file);
  // (kept beside a compressed trace, it may be compressed too)
  let text: string;
  try { text = readableFile(file); } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'EISDIR' ? 'a directory, not a /proc/zoneinfo file' : e instanceof Error ? e.message : String(e);
    throw new ZoneInfoError(file, 1, `${file}:1: ${why}`);
  }
  readLines(text, p.line);
  return p.finish();
}

export function parseZoneInfoText(text: string, name = '<zoneinfo>'): ZoneInfo {
  const p = new ZoneInfoParser(name);
  readTextLines(text, p.line);
  return p.finish();
}

class ZoneInfoParser {
  readonly zones: ZoneInfoZone[] = [];
  zone: ZoneInfoZone | null = null;
  pcp: ZonePcpInfo | null = null;
  /** the pageset being read: its `cpu: N` line and which of count, high, batch it gave */
  private pcpLine = 0;
  private pcpSeen = new Set<string>();
  inPagesets = false;
  constructor(readonly file: string) {}

  readonly line = (s: string, start: number, end: number, lineNo: number): void => {
    const l = s.slice(start, end).trim();
    if (!l) return;
    const z = /^Node\s+(\d+),\s+zone\s+(\S+)/.exec(l);
    if (z) {
      this.endPcp();
      this.zone = { node: Number(z[1]), name: z[2], free: 0, min: 0, low: 0, high: 0, spanned: 0, present: 0, managed: 0, pcp: [] };
      this.zones.push(this.zone);
      this.inPagesets = false; this.pcp = null;
      return;
    }
    if (!this.zone) {
      if (!this.zones.length) throw new ZoneInfoError(this.file, lineNo, `${this.file}:${lineNo}: not a /proc/zoneinfo file (expected 'Node N, zone NAME')`);
      return;
    }
    const zn = this.zone;
    if (l === 'pagesets') { this.inPagesets = true; return; }
    const kv = /^([a-z_ ]+?):?\s+(-?\d+)$/.exec(l);
    if (this.inPagesets) {
      const c = /^cpu:\s*(\d+)$/.exec(l);
      if (c) { this.endPcp(); this.pcp = { cpu: Number(c[1]), count: 0, high: 0, batch: 0 }; zn.pcp.push(this.pcp); this.pcpLine = lineNo; return; }
      if (kv && this.pcp && (kv[1] === 'count' || kv[1] === 'high' || kv[1] === 'batch')) { this.pcp[kv[1]] = Number(kv[2]); this.pcpSeen.add(kv[1]); return; }
      // (`count: abc`: a value that is not a number would be taken as 0)
      const bad = /^(count|high|batch):/.exec(l);
      if (bad && this.pcp) throw new ZoneInfoError(this.file, lineNo, `${this.file}:${lineNo}: ${bad[1]} of CPU ${this.pcp.cpu}'s pageset in zone ${zn.name} is not a number: '${l}'`);
    }
    if (!kv) return;
    const v = Number(kv[2]);
    switch (kv[1]) {
      case 'pages free': zn.free = v; break;
      case 'min': zn.min = v; break;
      case 'low': zn.low = v; break;
      case 'high': if (!this.inPagesets) zn.high = v; break;
      case 'spanned': zn.spanned = v; break;
      case 'present': zn.present = v; break;
      case 'managed': zn.managed = v; break;
      case 'start_pfn': zn.startPfn = v; this.inPagesets = false; break;
      case 'node_unreclaimable': this.inPagesets = false; break;
    }
  };

  /** A pageset without its count, high or batch line (a cut file) would read as 0: say so. */
  private endPcp(): void {
    const p = this.pcp;
    if (p) {
      const missing = ['count', 'high', 'batch'].filter(k => !this.pcpSeen.has(k));
      if (missing.length) throw new ZoneInfoError(this.file, this.pcpLine, `${this.file}:${this.pcpLine}: CPU ${p.cpu}'s pageset in zone ${this.zone?.name} has no ${missing.join(', ')} line (a cut or edited /proc/zoneinfo?)`);
    }
    this.pcp = null;
    this.pcpSeen = new Set();
  }

  finish(): ZoneInfo {
    this.endPcp();
    if (!this.zones.length) throw new ZoneInfoError(this.file, 1, `${this.file}:1: not a /proc/zoneinfo file (no 'Node N, zone NAME' line)`);
    return { file: this.file, zones: this.zones };
  }
}
