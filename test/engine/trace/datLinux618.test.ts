// trace.dat events of a Linux 6.18 kernel printed from their own print fmt: since 6.x the
// gfp flags table ends with a `{ 0, ((void *)0) }` entry, which the kernel's printing stops at.
// The format files are this machine's (tracefs events/kmem/*/format, 6.18.44).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { parseFormat, EventFormat } from '../../../src/engine/trace/dat/format';
import { planFor } from '../../../src/engine/trace/dat/events';
import { FieldReader } from '../../../src/engine/trace/dat/fieldReader';
import { Symbols } from '../../../src/engine/trace/dat/symbols';
import { otherText, gfpText } from '../../../src/engine/trace/dat/eventText';

const FORMATS = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'linux-6.18', 'formats');

function format(name: string): EventFormat {
  const f = parseFormat(fs.readFileSync(path.join(FORMATS, `${name}.format`), 'latin1'), 'kmem');
  if (typeof f === 'string') throw new Error(f);
  return f;
}

/** A record of `f` with the given field values (little-endian, as x86 writes them). */
function record(f: EventFormat, values: Record<string, number | bigint>): Buffer {
  const b = Buffer.alloc(Math.max(...f.fields.map(x => x.offset + x.size)));
  for (const [k, v] of Object.entries(values)) {
    const x = f.byName.get(k);
    if (!x) throw new Error(`no field ${k}`);
    if (x.size === 8) b.writeBigUInt64LE(BigInt.asUintN(64, BigInt(v)), x.offset);
    else if (x.size === 4) b.writeUInt32LE(Number(BigInt.asUintN(32, BigInt(v))), x.offset);
    else b.writeUInt16LE(Number(v), x.offset);
  }
  return b;
}

const KALLSYMS = 'ffffffff81200000 T ext4_htree_store_dirent\nffffffff81200120 T ext4_next\n';
const symbols = () => new Symbols(() => Buffer.from(KALLSYMS));

describe('trace.dat of Linux 6.18: gfp flags tables ending in { 0, NULL }', () => {
  it('kmalloc: named gfp flags (GFP_KERNEL|__GFP_ZERO, GFP_KERNEL_ACCOUNT), "none", accounted, %pS, as the kernel prints them', () => {
    const f = format('kmalloc'), plan = planFor(f), sy = symbols();
    const text = (gfp: number) => {
      const rec = record(f, { call_site: 0xffffffff81200034n, ptr: 0xffff88816aac18c0n, bytes_req: 57, bytes_alloc: 64, gfp_flags: gfp, node: -1 });
      return otherText(plan, new FieldReader(false, sy).at(rec, 0, rec.length), sy);
    };
    assert.equal(text(0xdc0), 'call_site=ext4_htree_store_dirent+0x34/0x120 ptr=0xffff88816aac18c0 bytes_req=57 bytes_alloc=64 gfp_flags=GFP_KERNEL|__GFP_ZERO node=-1 accounted=false');
    assert.equal(text(0x400cc0), 'call_site=ext4_htree_store_dirent+0x34/0x120 ptr=0xffff88816aac18c0 bytes_req=57 bytes_alloc=64 gfp_flags=GFP_KERNEL_ACCOUNT node=-1 accounted=true');
    assert.equal(text(0), 'call_site=ext4_htree_store_dirent+0x34/0x120 ptr=0xffff88816aac18c0 bytes_req=57 bytes_alloc=64 gfp_flags=none node=-1 accounted=false');
    // a bit no entry names is left over in hex, after the names
    assert.equal(text(0xcc0 | (1 << 30)), 'call_site=ext4_htree_store_dirent+0x34/0x120 ptr=0xffff88816aac18c0 bytes_req=57 bytes_alloc=64 gfp_flags=GFP_KERNEL|0x40000000 node=-1 accounted=false');
  });

  it('mm_page_alloc: the gfp_flags text the store keeps (the hex value before this fix)', () => {
    const f = format('mm_page_alloc'), plan = planFor(f);
    const gfp = (v: number) => {
      const rec = record(f, { pfn: 0x13598a, order: 0, gfp_flags: v, migratetype: 1 });
      return gfpText(plan, new FieldReader(false, symbols()).at(rec, 0, rec.length));
    };
    // trace-cmd report of the same kernel's records prints these
    assert.equal(gfp(0x140dca), 'GFP_HIGHUSER_MOVABLE|__GFP_ZERO|__GFP_COMP');
    assert.equal(gfp(0x148c40), 'GFP_NOFS|__GFP_NOFAIL|__GFP_COMP|__GFP_HARDWALL');
    // the same value twice gives the same text (the second from the kept texts)
    assert.equal(gfp(0x140dca), 'GFP_HIGHUSER_MOVABLE|__GFP_ZERO|__GFP_COMP');
  });
});
