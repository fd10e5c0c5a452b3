// A constant index outside an array the checker can see (a local, a global, a struct
// field, each dimension of a 2-D array) is a compile-time error at the index, before
// any run can write beside the array. &a[N], one past the end, is C and stays clean;
// so do computed indexes (checked at run time: test/engine/arrayBounds.test.ts) and
// indexes through pointers (their length is not known).
import * as assert from 'node:assert/strict';
import { checkText } from '../../../src/engine';
import { formatted, locate } from './util';

const M = '/m/bounds.kc';

function kc(text: string): string[] {
  return formatted(checkText(M, text));
}

function at(text: string, needle: string, occurrence = 0): string {
  const w = locate(text, needle, occurrence);
  return `${M}:${w.line}:${w.column}`;
}

describe('front end: constant array indexes out of bounds', () => {
  it('reports a store and a load past the end of a local array, at the index', () => {
    const t = 'int f(void)\n{\n\tint a[4];\n\ta[4] = 1;\n\treturn a[7];\n}\n';
    assert.deepEqual(kc(t), [
      `${at(t, '4] = 1')}: error: array index 4 is past the end of the array (which contains 4 elements)`,
      `${at(t, '7]')}: error: array index 7 is past the end of the array (which contains 4 elements)`,
    ]);
  });

  it('reports a negative index, and an index given by an enum constant or an expression', () => {
    const t = 'enum { SLOTS = 3 };\nvoid f(void)\n{\n\tint a[SLOTS];\n\ta[-1] = 0;\n\ta[SLOTS] = 0;\n\ta[SLOTS - 1] = 0;\n\ta[1 + 2] = 0;\n}\n';
    assert.deepEqual(kc(t), [
      `${at(t, '-1]')}: error: array index -1 is before the beginning of the array`,
      `${at(t, 'SLOTS] = 0')}: error: array index 3 is past the end of the array (which contains 3 elements)`,
      `${at(t, '1 + 2]')}: error: array index 3 is past the end of the array (which contains 3 elements)`,
    ]);
  });

  it('checks globals, struct fields reached through a pointer, and each dimension', () => {
    const t = 'struct s { int v[3]; };\nint g[2];\nvoid f(struct s *p, struct zone *zone)\n{\n\tint m[2][3];\n\tg[2] = 0;\n\tp->v[3] = 0;\n\tm[1][3] = 0;\n\tm[2][0] = 0;\n\tzone->free_area[MAX_ORDER].nr_free = 0;\n}\n';
    assert.deepEqual(kc(t), [
      `${at(t, '2] = 0')}: error: array index 2 is past the end of the array (which contains 2 elements)`,
      `${at(t, '3] = 0')}: error: array index 3 is past the end of the array (which contains 3 elements)`,
      `${at(t, '3] = 0', 1)}: error: array index 3 is past the end of the array (which contains 3 elements)`,
      `${at(t, '2][0]')}: error: array index 2 is past the end of the array (which contains 2 elements)`,
      `${at(t, 'MAX_ORDER]')}: error: array index 11 is past the end of the array (which contains 11 elements)`,
    ]);
  });

  it('accepts the last element, &a[N] one past the end, computed indexes and pointers', () => {
    const t = 'int f(int *p, int i)\n{\n\tint a[4];\n\tint *end = &a[4];\n\ta[3] = 0;\n\ta[i] = 0;\n\tp[10] = 0;\n\treturn end - a;\n}\n';
    assert.deepEqual(kc(t), []);
  });
});
