// The order in which a trace.dat's per-CPU record streams are read as one trace: by time,
// ties to the lower CPU (as trace-cmd report picks), each CPU's records in their own order
// (a stable k-way merge with a binary heap of CPU cursors).
import type { CpuRecords } from './ring';

/** For the n-th record of the merged trace: the index in `cpus` and the record within it. */
export function mergedOrder(cpus: CpuRecords[]): { cpu: Int32Array; record: Int32Array } {
  let total = 0;
  for (const c of cpus) total += c.count;
  const outCpu = new Int32Array(total), outRec = new Int32Array(total);
  const pos = new Int32Array(cpus.length);
  const heap: number[] = [];
  const less = (a: number, b: number) => {
    const ta = cpus[a].ts[pos[a]], tb = cpus[b].ts[pos[b]];
    return ta < tb || (ta === tb && cpus[a].cpu < cpus[b].cpu);
  };
  const up = (k: number) => {
    while (k > 0) {
      const p = (k - 1) >> 1;
      if (!less(heap[k], heap[p])) return;
      [heap[k], heap[p]] = [heap[p], heap[k]];
      k = p;
    }
  };
  const down = (k: number) => {
    for (;;) {
      const l = 2 * k + 1, r = l + 1;
      let m = k;
      if (l < heap.length && less(heap[l], heap[m])) m = l;
      if (r < heap.length && less(heap[r], heap[m])) m = r;
      if (m === k) return;
      [heap[k], heap[m]] = [heap[m], heap[k]];
      k = m;
    }
  };
  for (let c = 0; c < cpus.length; c++) if (cpus[c].count > 0) { heap.push(c); up(heap.length - 1); }
  for (let n = 0; n < total; n++) {
    const c = heap[0];
    outCpu[n] = c;
    outRec[n] = pos[c]++;
    if (pos[c] >= cpus[c].count) { heap[0] = heap[heap.length - 1]; heap.pop(); }
    if (heap.length) down(0);
  }
  return { cpu: outCpu, record: outRec };
}
