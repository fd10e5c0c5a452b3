// The text of events other than the ones the reconstruction reads (kmalloc, sched_switch,
// function tracer lines...) stays in the trace file and is read back when asked for: a
// trace of millions of them must not intern millions of distinct strings.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { importTrace, importTraceText } from '../../../src/engine';
import { NOT_KEPT, setStringLimit } from '../../../src/engine/trace/store';
import { assertSameImport, mutatedCopies } from './captures';

const line = (k: number, text: string) =>
  `            bash-1234    [00${k & 3}] ..... ${(10 + k / 1e6).toFixed(6).padStart(12)}: ${text}`;

describe('the text of other events, left in the file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-other-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const lines = ['# tracer: nop', '#'];
  for (let k = 0; k < 3000; k++) {
    lines.push(line(k, `kmalloc: call_site=__alloc_skb+0x${k.toString(16)} ptr=${(0x1000000 + k * 64).toString(16)} bytes_req=${k % 1024} bytes_alloc=1024 gfp_flags=GFP_KERNEL`));
    if (k % 100 === 0) lines.push(line(k, 'mm_page_free: page=fffff7a9c0a8c040 pfn=0x2a400 order=0'));
    // binary bytes in another event's text: the line is skipped with a warning, by both readers
    if (k % 700 === 3) lines.push(line(k, `kmalloc: call_site=__alloc_skb+0x0 ptr=${k % 2 ? '\u0001' : '\u007f'}00 bytes_req=1`));
    if (k % 500 === 0) lines.push(line(k, `free_pcppages_bulk: (free_pcppages_bulk+0x0/0x2e0) zone=0xffff0000aa count=2 pcp=0xffff0000bb pindex=0 pcp_count=${k} pcp_high=3464 pcp_batch=63`));
  }
  const file = path.join(dir, 'kmalloc.txt');
  fs.writeFileSync(file, `${lines.join('\n')}\n`, 'latin1');

  it('reads each text back as the line has it, in both readers, without interning it', () => {
    const t = importTrace(file);
    assertSameImport(t, importTrace(file, { fastPath: false }));
    assert.equal(t.byEvent.kmalloc, 3000);
    assert.deepStrictEqual(t.warnings.map(w => w.message), Array(5).fill('binary data, line skipped'));
    assert.ok(t.store.strings.strings.length < 100, `${t.store.strings.strings.length} strings interned`);
    const texts = new Map(lines.map(l => [l, l.slice(l.indexOf(': ', l.indexOf(']')) + 2)]));
    for (let i = 0; i < t.store.length; i++) {
      const original = lines[t.store.line[i] - 1];
      const name = t.store.eventName(i);
      if (name === 'kmalloc') assert.equal(`kmalloc: ${t.store.textOf(i)}`, texts.get(original), `line ${t.store.line[i]}`);
    }
  });

  it('the scanner reads them itself (the general reader only the kprobes and the rest)', () => {
    const t = importTrace(file);
    assert.equal(t.scannedEvents, t.store.length - t.byEvent.free_pcppages_bulk);
  });

  it('mutated (bytes replaced, inserted, dropped; lines cut): the scanner still reads what the general reader reads', () => {
    const copies = mutatedCopies(lines, { rounds: 8, edits: 300, seed: 11, bytes: '0123456789abcdefx :=_-<>[]()|\t\r\u0000\u00ff\u001b', from: 2 });
    for (const [round, out] of copies.entries()) {
      const f = path.join(dir, `mutated-${round}.txt`);
      fs.writeFileSync(f, out.join('\n'), 'latin1');
      const fast = importTrace(f), slow = importTrace(f, { fastPath: false });
      assertSameImport(fast, slow);
      for (let i = 0; i < fast.store.length; i += 7) assert.equal(fast.store.textOf(i), slow.store.textOf(i));
    }
  });

  it('the kprobes the reconstruction reads keep their text in memory', () => {
    const t = importTrace(file);
    const i = t.store.name.indexOf(t.store.strings.has('free_pcppages_bulk'));
    assert.ok(i >= 0 && t.store.text[i] > 0 && t.store.textAt[i] === 0);
    assert.match(t.store.textOf(i), /pcp_count=0 /);
  });

  it('text in memory (an export read back) is interned as before', () => {
    const t = importTraceText(lines.slice(0, 50).join('\n'));
    assert.ok(t.store.text[0] > 0 && t.store.textAt[0] === 0);
  });

  it('once the file changed, a text read back says so instead of showing other bytes', () => {
    const copy = path.join(dir, 'changing.txt');
    fs.copyFileSync(file, copy);
    const t = importTrace(copy);
    const last = t.store.length - 1;
    const text = t.store.textOf(last);
    assert.match(text, /^call_site=/);
    fs.writeFileSync(copy, 'something else entirely\n');
    // (a text read before, from the block in memory, is still the one read from the file)
    assert.equal(t.store.textOf(last), text);
    assert.equal(t.store.textOf(0), '(the trace file changed since it was read)');
    fs.rmSync(copy);
    assert.equal(t.store.eventName(3), 'kmalloc');
    assert.equal(t.store.textOf(3), '(the trace file cannot be read any more)');
  });
});

describe('a trace with more distinct texts than can be kept', () => {
  afterEach(() => setStringLimit());

  it('keeps the first ones, shows the others as not kept, and says how many (text in memory)', () => {
    setStringLimit(60);
    const lines = ['# tracer: nop'];
    for (let k = 0; k < 100; k++) lines.push(line(k, `tracing_mark_write: note ${k}`));
    const t = importTraceText(lines.join('\n'));
    assert.equal(t.store.length, 100);
    assert.equal(t.store.textOf(0), 'note 0');
    assert.equal(t.store.textOf(99), NOT_KEPT);
    const w = t.warnings.find(x => /were not kept/.test(x.message));
    assert.ok(w, JSON.stringify(t.warnings));
    assert.match(w!.message, /^\d+ texts .* more than 60 distinct ones/);
  });
});
