// A trace.dat that cannot be read: the message says what was expected and `offset` where
// in the file (a byte offset: a .dat has no lines).
export class DatFormatError extends Error {
  constructor(readonly offset: number, message: string) { super(message); }
}

/** Sizes above this in a header are taken as corruption, not allocated (a section of a
 * real trace.dat is a few MB; a per-CPU buffer at most a few hundred MB). */
export const MAX_SECTION_BYTES = 1 << 30;
