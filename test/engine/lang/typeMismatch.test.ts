// Type mismatches gcc refuses (gcc 14: int-conversion and incompatible-pointer-types
// are errors): a string where an int is expected, an integer where a pointer is
// expected, a pointer to one struct where another is expected, a void value used, a
// struct where a scalar is expected. Reported at the offending expression, in
// declarations, assignments, arguments and returns. What C allows (NULL and 0 for a
// pointer, void * both ways, a pointer tested as a bool, an array decaying to a
// pointer, a string for a char array) stays clean.
import * as assert from 'node:assert/strict';
import { checkText } from '../../../src/engine';
import { formatted, locate } from './util';

const M = '/m/types.kc';

function kc(text: string): string[] {
  return formatted(checkText(M, text));
}

/** `file:line:column` of the `occurrence`-th `needle`. */
function at(text: string, needle: string, occurrence = 0): string {
  const w = locate(text, needle, occurrence);
  return `${M}:${w.line}:${w.column}`;
}

function one(text: string, needle: string, message: string, occurrence = 0): void {
  assert.deepEqual(kc(text), [`${at(text, needle, occurrence)}: error: ${message}`]);
}

const FAKE_PAGE_FN = 'static int take(struct page *page, int n) { return n; }\n';

describe('front end: type mismatches (Kernel C checker)', () => {
  describe('declarations', () => {
    it('refuses a string initialising an int, at the string', () => {
      const t = 'int f(void)\n{\n\tint x = "str";\n\treturn x;\n}\n';
      one(t, '"str"', "incompatible types when initializing 'x': expected 'int', found 'char *' (makes integer from pointer without a cast)");
    });

    it('refuses a non-zero integer initialising a pointer', () => {
      const t = 'void f(void)\n{\n\tstruct page *p = 5;\n}\n';
      one(t, '5', "incompatible types when initializing 'p': expected 'struct page *', found 'int' (makes pointer from integer without a cast)");
    });

    it('refuses a pointer to another struct', () => {
      const t = 'void f(struct page *page)\n{\n\tstruct zone *z = page;\n}\n';
      one(t, 'page;', "incompatible types when initializing 'z': expected 'struct zone *', found 'struct page *' (incompatible pointer types)");
    });

    it('refuses a pointer to an int of another width', () => {
      const t = 'void f(long *l)\n{\n\tint *i = l;\n}\n';
      one(t, 'l;', "incompatible types when initializing 'i': expected 'int *', found 'long *' (incompatible pointer types)");
    });

    it('refuses a string initialising a global int', () => {
      const t = 'static int nr = "many";\n';
      one(t, '"many"', "incompatible types when initializing 'nr': expected 'int', found 'char *' (makes integer from pointer without a cast)");
    });

    it('refuses a mismatched field in a designated initialiser', () => {
      const t = 'struct s { int a; struct page *p; };\nvoid f(struct page *page)\n{\n\tstruct s v = { .a = page, .p = 0 };\n}\n';
      one(t, 'page,', "incompatible types when initializing 'v': expected 'int', found 'struct page *' (makes integer from pointer without a cast)");
    });

    it('refuses the value of a void function', () => {
      const t = 'void g(void) { }\nvoid f(spinlock_t *l)\n{\n\tint a = g();\n\tint b = spin_lock(l);\n}\n';
      assert.deepEqual(kc(t), [
        `${at(t, 'g()')}: error: void value not ignored as it ought to be`,
        `${at(t, 'spin_lock(l)')}: error: void value not ignored as it ought to be`,
      ]);
    });

    it('refuses a struct where an int is expected and another struct', () => {
      const t = 'struct a { int x; };\nstruct b { int x; };\nvoid f(struct a v)\n{\n\tint i = v;\n\tstruct b w = v;\n}\n';
      assert.deepEqual(kc(t), [
        `${at(t, 'v;')}: error: incompatible types when initializing 'i': expected 'int', found 'struct a' (a struct is not an integer)`,
        `${at(t, 'v;', 1)}: error: incompatible types when initializing 'w': expected 'struct b', found 'struct a' ('struct b' needs a value of the same struct type)`,
      ]);
    });
  });

  describe('assignments, arguments, returns', () => {
    it('refuses a pointer assigned to an int, at the value', () => {
      const t = 'void f(struct page *page)\n{\n\tint x;\n\tx = page;\n}\n';
      one(t, 'page;', "incompatible types in assignment: expected 'int', found 'struct page *' (makes integer from pointer without a cast)");
    });

    it('refuses an assignment to an array', () => {
      const t = 'void f(void)\n{\n\tint arr[4];\n\tarr = 0;\n}\n';
      one(t, 'arr =', "assignment to expression with array type 'int[4]'");
    });

    it('refuses a wrong argument to a model function, naming the argument', () => {
      const t = `${FAKE_PAGE_FN}void f(struct zone *z)\n{\n\ttake(z, 1);\n\ttake(0, "two");\n}\n`;
      assert.deepEqual(kc(t), [
        `${at(t, 'z, 1')}: error: incompatible types for argument 1 of 'take': expected 'struct page *', found 'struct zone *' (incompatible pointer types)`,
        `${at(t, '"two"')}: error: incompatible types for argument 2 of 'take': expected 'int', found 'char *' (makes integer from pointer without a cast)`,
      ]);
    });

    it('refuses WRITE_ONCE of a pointer into an int', () => {
      const t = 'void f(struct page *page)\n{\n\tint x = 0;\n\tWRITE_ONCE(x, page);\n}\n';
      one(t, 'page)', "incompatible types for argument 2 of 'WRITE_ONCE': expected 'int', found 'struct page *' (makes integer from pointer without a cast)", 1);
    });

    it('refuses a return of the wrong type, both ways', () => {
      const t = 'int f(struct page *page)\n{\n\treturn page;\n}\nstruct page *g(void)\n{\n\treturn 1;\n}\n';
      assert.deepEqual(kc(t), [
        `${at(t, 'page;')}: error: incompatible types when returning from 'f': expected 'int', found 'struct page *' (makes integer from pointer without a cast)`,
        `${at(t, '1;')}: error: incompatible types when returning from 'g': expected 'struct page *', found 'int' (makes pointer from integer without a cast)`,
      ]);
    });

    it('does not add a type error to an undeclared name', () => {
      const t = 'void f(void)\n{\n\tstruct page *p = nosuch;\n}\n';
      one(t, 'nosuch', "use of undeclared identifier 'nosuch'");
    });
  });

  describe('initialiser lists', () => {
    it('refuses elements past an array or a struct (they would be stored beside it), at the element', () => {
      const t = 'void f(void)\n{\n\tint a[2] = { 1, 2, 3 };\n\tint b[2] = { [3] = 9 };\n\tstruct { int x; } s = { 1, 2 };\n}\n';
      assert.deepEqual(kc(t), [
        `${at(t, '3 }')}: error: excess elements in array initializer`,
        `${at(t, '3] = 9')}: error: array index 3 in initializer exceeds array bounds (the array has 2 elements)`,
        `${at(t, '2 };')}: error: excess elements in struct initializer`,
      ]);
    });

    it('checks positional struct members against their own types', () => {
      const ok = 'struct s { struct page *p; int n; };\nvoid f(struct page *page)\n{\n\tstruct s v = { page, 3 };\n\tint grid[2][2] = { { 1, 2 }, { 3, 4 } };\n}\n';
      assert.deepEqual(kc(ok), []);
      const bad = 'struct s { struct page *p; int n; };\nvoid f(struct page *page)\n{\n\tstruct s v = { 3, page };\n}\n';
      assert.deepEqual(kc(bad), [
        `${at(bad, '3, page')}: error: incompatible types when initializing 'v': expected 'struct page *', found 'int' (makes pointer from integer without a cast)`,
        `${at(bad, 'page }')}: error: incompatible types when initializing 'v': expected 'int', found 'struct page *' (makes integer from pointer without a cast)`,
      ]);
    });
  });

  describe('operators', () => {
    it('refuses arithmetic and bit operations on pointers that C refuses, at the expression', () => {
      const t = 'long f(struct page *p, int *q)\n{\n\tint a = p * 2;\n\tlong b = 3 - q;\n\tlong c = q + q;\n\tlong d = q << 1;\n\treturn a + b + c + d;\n}\n';
      assert.deepEqual(kc(t), [
        `${at(t, 'p * 2')}: error: invalid operands to binary * (have 'struct page *' and 'int')`,
        `${at(t, '3 - q')}: error: invalid operands to binary - (have 'int' and 'int *')`,
        `${at(t, 'q + q')}: error: invalid operands to binary + (have 'int *' and 'int *')`,
        `${at(t, 'q << 1')}: error: invalid operands to binary << (have 'int *' and 'int')`,
      ]);
    });

    it('refuses a pointer as a switch quantity or an array subscript, and unary -, +, ~ of a pointer or struct', () => {
      const t = 'struct s { int x; };\nint f(struct page *p, int *q, struct s v)\n{\n\tint a[3];\n\tswitch (p) {\n\tdefault:\n\t\tbreak;\n\t}\n\ta[q] = 1;\n\treturn -p + ~v + !p + -a[0];\n}\n';
      assert.deepEqual(kc(t), [
        `${at(t, 'p) {')}: error: switch quantity is not an integer (it is 'struct page *')`,
        `${at(t, 'q] = 1')}: error: array subscript is not an integer (it is 'int *')`,
        `${at(t, '-p')}: error: wrong type argument to unary -: 'struct page *'`,
        `${at(t, '~v')}: error: wrong type argument to unary ~: 'struct s'`,
      ]);
    });

    it('warns, as gcc does, on a pointer compared with a non-zero integer or a pointer to another type', () => {
      const t = 'int f(struct page *p, struct zone *z, void *v)\n{\n\tif (p == 1 || p == z || p == NULL || p != 0 || p == v)\n\t\treturn 1;\n\treturn 0;\n}\n';
      assert.deepEqual(kc(t), [
        `${at(t, 'p == 1')}: warning: comparison between pointer and integer ('struct page *' and 'int')`,
        `${at(t, 'p == z')}: warning: comparison of distinct pointer types ('struct page *' and 'struct zone *') lacks a cast`,
      ]);
    });

    it('accepts pointer difference, pointer plus integer, and bit operations on a cast pointer', () => {
      const t = 'long f(struct page *p, struct page *q, int n)\n{\n\tstruct page *r = p + n;\n\tr = n + r - 1;\n\treturn (q - p) + ((unsigned long)r & 1);\n}\n';
      assert.deepEqual(kc(t), []);
    });
  });

  describe('casts (checked, then ignored)', () => {
    it('refuses casting a struct, casting to a struct, and casting a void value', () => {
      const t = 'struct s { int x; };\nvoid g(void) { }\nlong f(struct s v)\n{\n\tlong a = (long)v;\n\tstruct s w = (struct s)a;\n\tint b = (int)g();\n\t(void)v;\n\treturn a + b + w.x;\n}\n';
      assert.deepEqual(kc(t), [
        `${at(t, 'v;')}: error: cannot cast a value of struct type 'struct s' to 'long'`,
        `${at(t, '(struct s)a')}: error: conversion to non-scalar type 'struct s' requested`,
        `${at(t, 'g();')}: error: void value not ignored as it ought to be`,
      ]);
    });
  });

  describe('const', () => {
    it('refuses assigning or incrementing a const variable, parameter, global, or a member of a const struct', () => {
      const t = [
        'struct s { int x; };',
        'static const int limit = 4;',
        'int f(struct s *const q, const struct s v)',
        '{',
        '\tconst int n = 1;',
        '\tint const m = 2;',
        '\tn = 2;',
        '\tm++;',
        '\tlimit += 1;',
        '\tq = 0;',
        '\tv.x = 3;',
        '\treturn n + m;',
        '}',
        '',
      ].join('\n');
      assert.deepEqual(kc(t), [
        `${at(t, 'n = 2')}: error: assignment of read-only variable 'n'`,
        `${at(t, 'm++')}: error: assignment of read-only variable 'm'`,
        `${at(t, 'limit +=')}: error: assignment of read-only variable 'limit'`,
        `${at(t, 'q = 0')}: error: assignment of read-only variable 'q'`,
        `${at(t, 'v.x = 3')}: error: assignment of a member of read-only object 'v'`,
      ]);
    });

    it('a pointer to const may be moved, and what a const pointer points to may change', () => {
      const t = 'struct s { int x; };\nint f(const struct s *p, struct s *const q)\n{\n\tconst char *name = "a";\n\tname = "b";\n\tp = q;\n\tq->x = 1;\n\treturn p->x;\n}\n';
      assert.deepEqual(kc(t), []);
    });
  });

  describe('what C allows stays clean', () => {
    it('accepts NULL, 0, void *, bool from a pointer, decayed arrays, char arrays from strings, integer conversions', () => {
      const t = [
        'struct page *g1 = 0;',
        'struct page *g2 = NULL;',
        'static const char *name = "v6.1";',
        'static struct page *pick(struct page *page, int n) { return n ? page : NULL; }',
        'static unsigned long f(struct page *page, struct zone *zone, unsigned int order)',
        '{',
        '\tvoid *v = page;',
        '\tstruct page *q = v;',
        '\tbool on = page;',
        '\tchar label[8] = "pcp";',
        '\tstruct list_head *h = zone->free_area[order].free_list;',
        '\tstruct per_cpu_pages *pcp = this_cpu_ptr(zone->per_cpu_pageset);',
        '\tunsigned long *u = 0;',
        '\tlong l = order;',
        '\tu8 small = l;',
        '\tgfp_t gfp = GFP_KERNEL;',
        '\tint mt = MIGRATE_MOVABLE;',
        '\tq = pick(page, 0);',
        '\tq = list_first_entry(h, struct page, lru);',
        '\tpcp->count = order;',
        '\tif (!on || !label[0] || gfp || mt || small || pcp == NULL || u)',
        '\t\treturn 0;',
        '\treturn page_to_pfn(q);',
        '}',
        '',
      ].join('\n');
      assert.deepEqual(kc(t), []);
    });
  });
});
