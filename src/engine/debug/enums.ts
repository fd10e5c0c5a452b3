// Enum names for display. The checker types an enum as int; the debugger still wants
// MIGRATE_MOVABLE, not 1, for an enum-typed field or local, so the enum definitions and
// the fields declared with them are collected once per program from the syntax tree.
import * as A from '../lang/ast';
import type { CheckedProgram } from '../lang/load';
import { StructType, isStruct } from '../lang/types';

export interface EnumInfo {
  /** enum tag → value → the name to show */
  names: Map<string, Map<number, string>>;
  /** struct → field → enum tag, for fields declared with an enum type */
  fieldTags: Map<StructType, Map<string, string>>;
  /** enum constant → its enum's tag */
  constTag: Map<string, string>;
}

const cache = new WeakMap<CheckedProgram, EnumInfo>();

/** Names that count or bound an enum (MIGRATE_PCPTYPES, NR_WMARK) lose to a real member of the same value. */
function isCountName(n: string): boolean {
  return /(_TYPES|PCPTYPES)$|^NR_|_NR_|^MAX_/.test(n);
}

export function enumInfo(p: CheckedProgram): EnumInfo {
  let info = cache.get(p);
  if (info) return info;
  const names = new Map<string, Map<number, string>>();
  const fieldTags = new Map<StructType, Map<string, string>>();
  const constTag = new Map<string, string>();
  const seen = new Set<A.BaseSpec>();
  const spec = (s: A.TypeSpec | undefined): void => {
    if (!s) return;
    const b = s.base;
    if (seen.has(b)) return;
    seen.add(b);
    if (b.kind === 'enum' && b.body && b.tag) {
      const byValue = names.get(b.tag) ?? new Map<number, string>();
      for (const mem of b.body) {
        if (mem.resolved === undefined) continue;
        constTag.set(mem.name, b.tag);
        const old = byValue.get(mem.resolved);
        if (old === undefined || (isCountName(old) && !isCountName(mem.name))) byValue.set(mem.resolved, mem.name);
      }
      names.set(b.tag, byValue);
    } else if (b.kind === 'struct' && b.body) {
      const st = s.pointers === 0 && s.arrayDims.length === 0 ? s.resolved : undefined;
      for (const f of b.body) {
        spec(f.type);
        if (st && isStruct(st) && f.type.base.kind === 'enum' && f.type.base.tag && f.type.pointers === 0 && f.type.arrayDims.length === 0) {
          const m = fieldTags.get(st) ?? new Map<string, string>();
          m.set(f.name, f.type.base.tag);
          fieldTags.set(st, m);
        }
      }
    }
  };
  for (const d of p.model.ast.decls) {
    switch (d.kind) {
      case 'TypeDecl': case 'Var': case 'PerCpu': spec(d.type); break;
      case 'Function': spec(d.returnType); for (const prm of d.params) spec(prm.type); break;
    }
  }
  info = { names, fieldTags, constTag };
  cache.set(p, info);
  return info;
}

/** The enum tag a declaration's type names, if it is a plain enum. */
export function declEnumTag(t: A.TypeSpec | undefined): string | undefined {
  if (!t || t.pointers !== 0 || t.arrayDims.length !== 0) return undefined;
  return t.base.kind === 'enum' && t.base.tag ? t.base.tag : undefined;
}
