// The text `format` files a trace.dat stores for each event (what
// /sys/kernel/tracing/events/<system>/<event>/format shows): name, id, each field's type,
// offset, size and signedness, and the print fmt. Field offsets are read from here for
// every event, never assumed: they change between kernels and configurations.

export interface Field {
  name: string;
  type: string;
  offset: number;
  size: number;
  signed: boolean;
  /** `__data_loc`: the field holds (length << 16 | offset) of variable data in the record */
  dataLoc: boolean;
  /** `__rel_loc`: the same, the offset counted from the end of the field */
  relLoc?: boolean;
  /** element count of a `type name[N]` array; 0 for `name[]` (the rest of the record); -1 not an array */
  arrayLen: number;
}

export interface EventFormat {
  id: number;
  name: string;
  system: string;
  fields: Field[];
  byName: Map<string, Field>;
  /** the print fmt line after `print fmt: ` ('' if absent) */
  printFmt: string;
}

const FIELD = /^\s*field:(.*?);\s*offset:(\d+);\s*size:(\d+);(?:\s*signed:(\d+);)?/;

/** Parses one `type name[N]` declaration. */
function declaration(decl: string): { name: string; type: string; dataLoc: boolean; relLoc: boolean; arrayLen: number } {
  let s = decl.trim();
  let dataLoc = false, relLoc = false;
  if (s.startsWith('__data_loc ')) { dataLoc = true; s = s.slice(11).trim(); }
  if (s.startsWith('__rel_loc ')) { dataLoc = relLoc = true; s = s.slice(10).trim(); }
  let arrayLen = -1;
  const arr = /\[(\d*)\]\s*$/.exec(s);
  if (arr && !dataLoc) {
    arrayLen = arr[1] === '' ? 0 : Number(arr[1]);
    s = s.slice(0, arr.index).trim();
  } else if (arr) {
    // `__data_loc char[] name`: the brackets belong to the type
    s = s.slice(0, arr.index).trim() + s.slice(arr.index + arr[0].length);
  }
  s = s.replace(/\[\d*\]/, '').trim();
  const m = /([A-Za-z_]\w*)\s*$/.exec(s);
  const name = m ? m[1] : s;
  return { name, type: m ? s.slice(0, m.index).trim() : '', dataLoc, relLoc, arrayLen };
}

/** Parses a format file; returns null (with a reason) when it has no name or ID. */
export function parseFormat(text: string, system: string): EventFormat | string {
  const fields: Field[] = [];
  let name = '', id = -1, printFmt = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('name:')) name = line.slice(5).trim();
    else if (line.startsWith('ID:')) id = Number(line.slice(3).trim());
    else if (line.startsWith('print fmt:')) printFmt = line.slice(10).trim();
    else {
      const m = FIELD.exec(line);
      if (m) {
        const d = declaration(m[1]);
        fields.push({ ...d, offset: Number(m[2]), size: Number(m[3]), signed: m[4] === '1' });
      }
    }
  }
  if (!name) return 'no name: line';
  if (!Number.isInteger(id) || id < 0 || id > 0xffff) return `${name}: no valid ID: line`;
  const byName = new Map<string, Field>();
  for (const f of fields) byName.set(f.name, f);
  return { id, name, system, fields, byName, printFmt };
}

/** The ring-buffer page header (header_page): where timestamp, commit and data are. */
export interface PageHeader {
  tsOffset: number;
  commitOffset: number;
  commitSize: number;
  dataOffset: number;
}

export function parsePageHeader(text: string, longSize: number): PageHeader {
  const h: PageHeader = { tsOffset: 0, commitOffset: 8, commitSize: longSize, dataOffset: 8 + longSize };
  for (const line of text.split('\n')) {
    const m = FIELD.exec(line.replace(/field:\s*/, 'field:'));
    if (!m) continue;
    const d = declaration(m[1]);
    if (d.name === 'timestamp') h.tsOffset = Number(m[2]);
    else if (d.name === 'commit') { h.commitOffset = Number(m[2]); h.commitSize = Number(m[3]); }
    else if (d.name === 'data') h.dataOffset = Number(m[2]);
  }
  return h;
}
