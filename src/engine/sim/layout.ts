// Memory layout. The simulated kernel's memory is one flat array of cells; every
// scalar (int, pointer, lock word) takes one cell and structs are laid out inline, so a
// pointer is an address, container_of is a subtraction, and a whole machine state is
// one array copy (time travel, state hashing).
import { Type, StructType, FieldInfo } from '../lang/types';

const structCells = new WeakMap<StructType, { cells: number; offsets: number[] }>();

export function cellsOf(t: Type): number {
  switch (t.kind) {
    case 'int': case 'ptr': case 'func': case 'void': return 1;
    case 'array': return Math.max(1, t.length) * cellsOf(t.of);
    case 'struct': return structLayout(t).cells;
  }
}

export function structLayout(st: StructType): { cells: number; offsets: number[] } {
  let l = structCells.get(st);
  if (l) return l;
  if (st.lock) {
    l = { cells: 1, offsets: [] };
  } else {
    // a slot shared by union members is as large as its largest member
    const slotCells = new Array<number>(st.slots).fill(0);
    for (const f of st.fields) slotCells[f.slot] = Math.max(slotCells[f.slot], cellsOf(f.type));
    const offsets: number[] = [];
    let off = 0;
    for (let s = 0; s < st.slots; s++) {
      offsets.push(off);
      off += Math.max(1, slotCells[s]);
    }
    l = { cells: Math.max(1, off), offsets };
  }
  structCells.set(st, l);
  return l;
}

export function fieldOffset(f: FieldInfo): number {
  return structLayout(f.owner).offsets[f.slot] ?? 0;
}

export function fieldByName(st: StructType, name: string): FieldInfo {
  const f = st.fieldMap.get(name);
  if (!f) throw new Error(`engine type struct ${st.tag} has no field ${name}`);
  return f;
}

export function offsetOf(st: StructType, name: string): number {
  return fieldOffset(fieldByName(st, name));
}
