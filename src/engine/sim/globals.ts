// Static initialisers of model globals (`int g = 5;`, `static LIST_HEAD(list);`,
// `struct x y = { .a = 1 };`): constants written into memory before boot, as the
// kernel's .data section holds them.
import * as A from '../lang/ast';
import { Type, isStruct } from '../lang/types';
import { cellsOf, fieldOffset } from './layout';
import { CompileError, widthOf } from './compile';
import { wrap } from './ops';

export function constExpr(e: A.Expr): number {
  switch (e.kind) {
    case 'Number': return e.value;
    case 'SizeOf': return e.value ?? 0;
    // string literals have no storage in the machine: a char * holds 0, as in function bodies (compile.ts)
    case 'String': return 0;
    case 'Ident':
      if (e.sym?.kind === 'enumConst') return e.sym.value;
      break;
    case 'Cast': return wrap(constExpr(e.operand), widthOf(e.to.resolved));
    case 'Unary': {
      const v = constExpr(e.operand);
      switch (e.op) { case '-': return -v; case '+': return v; case '!': return v ? 0 : 1; case '~': return ~v; }
      break;
    }
    case 'Binary': {
      const l = constExpr(e.left);
      const r = constExpr(e.right);
      switch (e.op) {
        case '+': return l + r; case '-': return l - r; case '*': return l * r;
        case '/': if (r) return Math.trunc(l / r); break;
        case '%': if (r) return l % r; break;
        case '<<': return l * 2 ** r; case '>>': return Math.floor(l / 2 ** r);
        case '&': return l & r; case '|': return l | r; case '^': return l ^ r;
        case '==': return +(l === r); case '!=': return +(l !== r); case '<': return +(l < r); case '>': return +(l > r);
        case '<=': return +(l <= r); case '>=': return +(l >= r); case '&&': return +(!!l && !!r); case '||': return +(!!l || !!r);
      }
      break;
    }
    case 'Ternary': return constExpr(e.cond) ? constExpr(e.then) : constExpr(e.else);
  }
  throw new CompileError(e.range, 'a global initialiser must be a constant expression');
}

/** Writes a global's initial value at `addr`. */
export function initGlobal(mem: Float64Array, addr: number, t: Type, init: A.Expr | A.InitList | undefined, emptyList: boolean): void {
  if (emptyList) { mem[addr] = addr; mem[addr + 1] = addr; return; }
  if (!init) return;
  if (init.kind !== 'InitList') { mem[addr] = wrap(constExpr(init), widthOf(t)); return; }
  let pos = 0;
  for (const item of init.items) {
    let at = addr;
    let it: Type = t;
    if (isStruct(t)) {
      const f = item.designator ? t.fieldMap.get(item.designator) : t.fields[pos];
      if (!f) throw new CompileError(item.range, 'too many initialisers');
      at = addr + fieldOffset(f);
      it = f.type;
      pos = t.fields.indexOf(f) + 1;
    } else if (t.kind === 'array') {
      const idx = item.index ? constExpr(item.index) : pos;
      if (idx < 0 || idx >= t.length) throw new CompileError(item.range, `array index ${idx} is outside the array`);
      at = addr + idx * cellsOf(t.of);
      it = t.of;
      pos = idx + 1;
    }
    initGlobal(mem, at, it, item.value, false);
  }
}
