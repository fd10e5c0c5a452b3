// PageSet (the rebuilt pcp lists' page table) against a Map under random operations: the
// same membership, values and order of entries, through growth, backward-shift deletion
// and clones taken midway.
import * as assert from 'assert';
import fc from 'fast-check';
import { PageSet } from '../../../src/engine/trace/pageSet';
import { PfnIndex } from '../../../src/engine/trace/pfnIndex';

type Op = { k: 'set' | 'delete' | 'clear' | 'clone'; pfn: number; v: number };

describe('PageSet', () => {
  it('behaves as a Map of pfn -> value, in insertion order', () => {
    const op = fc.record({
      // clear rarely, or the table never fills enough to collide
      k: fc.oneof({ arbitrary: fc.constant<Op['k']>('set'), weight: 30 }, { arbitrary: fc.constant<Op['k']>('delete'), weight: 15 },
        { arbitrary: fc.constant<Op['k']>('clone'), weight: 2 }, { arbitrary: fc.constant<Op['k']>('clear'), weight: 1 }),
      // a few hundred pfns spread far apart (so that they collide in the table and repeat),
      // consecutive ones, and far ones
      pfn: fc.oneof(fc.integer({ min: 0, max: 400 }).map(k => k * 104729), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 2 ** 40 })),
      v: fc.integer({ min: 1, max: 0x7fff }),
    });
    fc.assert(fc.property(fc.array(op, { minLength: 50, maxLength: 600, size: 'max' }), ops => {
      let s = new PageSet(), m = new Map<number, number>();
      for (const o of ops) {
        if (o.k === 'set') { s.set(o.pfn, o.v); m.set(o.pfn, o.v); }
        else if (o.k === 'delete') assert.equal(s.delete(o.pfn), m.delete(o.pfn));
        else if (o.k === 'clear') { s.clear(); m.clear(); }
        else {
          // a clone is independent of its original: mutating it leaves s as m says
          const c = s.clone();
          c.set(o.pfn, o.v); c.delete(o.pfn + 1);
          assert.equal(c.get(o.pfn), o.v);
          s = s.clone();
        }
        assert.equal(s.size, m.size);
        assert.equal(s.has(o.pfn), m.has(o.pfn));
        assert.equal(s.get(o.pfn), m.get(o.pfn));
      }
      assert.deepStrictEqual(s.entries(), [...m]);
      // every key still found by probing (a wrong backward shift leaves some unreachable)
      for (const [pfn, v] of m) assert.equal(s.get(pfn), v, `pfn ${pfn}`);
      for (const pfn of [...m.keys()].reverse()) { assert.ok(s.delete(pfn)); m.delete(pfn); for (const [q, v] of m) assert.equal(s.get(q), v); }
      assert.equal(s.size, 0);
    }), { numRuns: 300 });
  });

  it('refuses a pfn that is not a frame number', () => {
    const s = new PageSet();
    assert.throws(() => s.set(-1, 1), RangeError);
    assert.throws(() => s.set(1.5, 1), RangeError);
  });
});

describe('PfnIndex', () => {
  it('keeps a value per pfn as a Map would, for frames in the array and far beyond it', () => {
    const pfn = fc.oneof(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 2 ** 40 }), fc.constant(-1));
    fc.assert(fc.property(fc.array(fc.tuple(pfn, fc.integer({ min: 0, max: 1000 })), { minLength: 20, maxLength: 300, size: 'max' }), ops => {
      const x = new PfnIndex(), m = new Map<number, number>();
      for (const [p, v] of ops) {
        x.set(p, v);
        if (v) m.set(p, v); else m.delete(p);
        assert.equal(x.get(p), m.get(p) ?? 0);
      }
      for (const [p, v] of m) assert.equal(x.get(p), v);
    }), { numRuns: 200 });
  });
});
