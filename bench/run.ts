// Runs the benchmarks and writes one JSON file per benchmark to bench/results/.
// Usage: node out/bench/run.js [name...]   (no name: all of them)
// To add a benchmark, write bench/<name>.ts with run() and summary() and list it below.
import * as fs from 'fs';
import * as path from 'path';
import * as frontend from './frontend';
import * as engine from './engine';
import * as explore from './explore';
import * as dap from './dap';
import * as trace from './trace';
import * as evalBench from './eval';

interface BenchResult {
  name: string;
  targetMet?: boolean;
}

interface Bench {
  name: string;
  run(): BenchResult | Promise<BenchResult>;
  summary(result: BenchResult): string;
}

function bench<R extends BenchResult>(name: string, run: () => R | Promise<R>, summary: (r: R) => string): Bench {
  return { name, run, summary: r => summary(r as R) };
}

/** Every benchmark, in the order they run. Later: explore. */
export const BENCHES: Bench[] = [
  bench('frontend', () => frontend.run(), frontend.summary),
  bench('engine', () => engine.run(), engine.summary),
  bench('explore', () => explore.run(), explore.summary),
  bench('dap', () => dap.run(), dap.summary),
  bench('trace', () => trace.run(), trace.summary),
  bench('eval', () => evalBench.run(), evalBench.summary),
];

/** Repository root: this file runs as out/bench/run.js. */
const root = path.resolve(__dirname, '..', '..');
export const RESULTS_DIR = path.join(root, 'bench', 'results');

export async function main(args: string[]): Promise<number> {
  const unknown = args.filter(a => !BENCHES.some(b => b.name === a));
  if (unknown.length) {
    console.error(`bench: unknown benchmark ${unknown.map(u => `'${u}'`).join(', ')}; known: ${BENCHES.map(b => b.name).join(', ')}`);
    return 2;
  }
  const selected = args.length ? BENCHES.filter(b => args.includes(b.name)) : BENCHES;
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  let missed = 0;
  for (const b of selected) {
    const result = await b.run();
    const file = path.join(RESULTS_DIR, `${b.name}.json`);
    fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(b.summary(result));
    if (result.targetMet === false) missed++;
  }
  // a missed target is reported, not an error: benchmarks inform, tests decide
  if (missed) console.log(`bench: ${missed} target(s) not met; results in ${path.relative(process.cwd(), RESULTS_DIR) || '.'}`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(code => { process.exitCode = code; }, err => {
    console.error(`bench: ${err instanceof Error ? err.stack : String(err)}`);
    process.exitCode = 1;
  });
}
