// The front-end benchmark measures the clean path on a realistic model; keep it honest.
import * as assert from 'node:assert/strict';
import { checkText, formatDiagnostic } from '../../src/engine';
import { generateModel, run, summary, TARGET_LINES_PER_SECOND } from '../../bench/frontend';
import { BENCHES, main } from '../../bench/run';

describe('bench: frontend', function () {
  this.timeout(30_000);

  it('generates a model of the requested size that checks without diagnostics', () => {
    const text = generateModel(3000);
    const lines = text.split('\n').length;
    assert.ok(lines >= 3000 && lines < 3100, `${lines} lines`);
    assert.deepEqual(checkText('/bench/model.kc', text, { readFile: () => undefined }).map(formatDiagnostic), []);
    // realistic: locks, list walks, per-CPU access and struct members in every function
    for (const word of ['spin_lock(', 'list_for_each_entry_safe(', 'this_cpu_ptr(', 'local_lock_irqsave(', '->', 'for (', 'switch (']) {
      assert.ok(text.split(word).length > 20, `the model uses ${word} throughout`);
    }
  });

  it('reports lines/s of the median run, the split baseline and their ratio', () => {
    const r = run({ lines: 2000, repetitions: 3 });
    assert.equal(r.diagnostics, 0);
    assert.ok(r.lines >= 2000);
    assert.ok(r.medianMs > 0 && r.minMs <= r.medianMs && r.medianMs <= r.maxMs);
    assert.ok(Math.abs(r.linesPerSecond - r.lines / (r.medianMs / 1000)) <= r.linesPerSecond * 0.01);
    assert.ok(r.baselineMs > 0 && r.ratio > 1, 'parsing costs more than splitting into lines');
    assert.equal(r.target, TARGET_LINES_PER_SECOND);
    assert.equal(r.targetMet, r.linesPerSecond >= TARGET_LINES_PER_SECOND);
    assert.match(summary(r), /^frontend: \d+ lines in [\d.]+ ms \(median of 3\) = [\d,]+ lines\/s; split baseline [\d.]+ ms, ratio [\d.]+x; target 200,000 lines\/s (met|NOT met)$/);
  });

  it('lists the frontend benchmark and rejects an unknown name without running anything', async () => {
    assert.ok(BENCHES.some(b => b.name === 'frontend'));
    const errors: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => { errors.push(args.join(' ')); };
    try {
      assert.equal(await main(['no-such-bench']), 2);
    } finally {
      console.error = original;
    }
    assert.match(errors.join('\n'), /unknown benchmark 'no-such-bench'; known: frontend/);
  });
});
