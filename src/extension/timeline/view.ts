/// <reference lib="dom" />
// The timeline webview (runs in the browser, bundled to dist/timelineView.js): one lane
// per CPU with its task, lock-hold intervals and interrupt handlers, findings as
// markers, a cursor at the debugger's step. A click (or ←/→) asks the debugger to go
// to that step.
import type { FromView, TimelineData, ToView } from './messages';

declare function acquireVsCodeApi(): { postMessage(m: FromView): void };

const vscodeApi = acquireVsCodeApi();
const SVG = 'http://www.w3.org/2000/svg';
const LABEL = 70;
const LANE = 40;
const AXIS = 18;

let data: TimelineData | undefined;
let current = 0;

function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>, parent: Element, title?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (title !== undefined) {
    const t = document.createElementNS(SVG, 'title');
    t.textContent = title;
    e.appendChild(t);
  }
  parent.appendChild(e);
  return e;
}

/** A stable colour per lock name, so zone->lock is the same colour on every lane. */
function lockColour(name: string): string {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  return `hsl(${h % 360}, 60%, 55%)`;
}

function render(): void {
  const lanes = document.getElementById('lanes')!;
  const status = document.getElementById('status')!;
  const legend = document.getElementById('legend')!;
  lanes.textContent = '';
  legend.textContent = '';
  if (data === undefined) return;
  const d = data;
  const steps = Math.max(1, d.steps);
  const width = Math.max(lanes.clientWidth || 600, 300);
  const px = Math.max((width - LABEL - 12) / steps, 3);
  const x = (step: number) => LABEL + step * px;
  const svg = el('svg', { width: LABEL + steps * px + 12, height: AXIS + d.cpus.length * LANE + 4, role: 'img' }, lanes);
  const tickEvery = Math.max(1, Math.pow(10, Math.ceil(Math.log10(60 / px))));
  for (let s = 0; s <= steps; s += tickEvery) {
    el('line', { x1: x(s), x2: x(s), y1: AXIS - 4, y2: AXIS + d.cpus.length * LANE, class: 'tick' }, svg);
    el('text', { x: x(s) + 2, y: AXIS - 6 }, svg).textContent = String(s);
  }
  // each lock's bars take their own row within the lane, so nested locks stay visible
  const locks = [...new Set(d.intervals.filter((iv) => iv.kind === 'lock').map((iv) => iv.name))];
  d.cpus.forEach((cpu, lane) => {
    const y = AXIS + lane * LANE;
    el('rect', { x: LABEL, y: y + 2, width: steps * px, height: LANE - 4, class: 'lane' }, svg);
    el('text', { x: 4, y: y + LANE / 2 + 4 }, svg).textContent = cpu.name;
    for (const iv of d.intervals.filter((i) => i.cpu === lane)) {
      const w = Math.max(px * (iv.to - iv.from), 2);
      const span = `steps ${iv.from}–${iv.to}`;
      if (iv.kind === 'task') el('rect', { x: x(iv.from), y: y + LANE - 8, width: w, height: 4, class: 'task' }, svg, `${iv.name}, ${span}`);
      // an interrupt: a band under the lock rows, above the task's line
      else if (iv.kind === 'irq') el('rect', { x: x(iv.from), y: y + LANE - 15, width: w, height: 6, class: 'irq' }, svg, `interrupt ${iv.name}, ${span}`);
      else {
        const row = locks.indexOf(iv.name);
        const h = Math.max(4, Math.floor((LANE - 20) / Math.max(1, Math.min(locks.length, 3))));
        const top = y + 4 + (row % 3) * h;
        el('rect', { x: x(iv.from), y: top, width: w, height: h - 1, fill: lockColour(iv.name), rx: 2 }, svg, `${iv.name} held, ${span}`);
      }
    }
    for (const f of d.findings.filter((fd) => fd.cpu === lane)) {
      const cx = x(f.step);
      const cy = y + LANE / 2;
      el('path', { d: `M ${cx} ${cy - 7} L ${cx + 6} ${cy} L ${cx} ${cy + 7} L ${cx - 6} ${cy} Z`, class: 'finding' }, svg, `${f.kind} at step ${f.step}: ${f.message}`);
    }
  });
  el('line', { x1: x(current), x2: x(current), y1: AXIS - 4, y2: AXIS + d.cpus.length * LANE, class: 'cursor' }, svg);
  svg.addEventListener('click', (ev) => {
    const rect = svg.getBoundingClientRect();
    const step = Math.round((ev.clientX - rect.left - LABEL) / px);
    if (step >= 0 && step <= d.steps) vscodeApi.postMessage({ type: 'goto', step });
  });
  status.textContent = `Step ${current} of ${d.steps} · ${d.findings.length} finding(s) · click a step to move the debugger there (←/→ step back/forward)`;
  for (const name of locks) {
    const item = document.createElement('span');
    const sw = document.createElement('span');
    sw.className = 'swatch';
    sw.style.background = lockColour(name);
    item.append(sw, name);
    legend.appendChild(item);
  }
}

window.addEventListener('message', (ev: MessageEvent<ToView>) => {
  const m = ev.data;
  const status = document.getElementById('status')!;
  switch (m.type) {
    case 'timeline':
      data = m.data;
      current = m.data.current;
      render();
      break;
    case 'step':
      current = m.step;
      render();
      break;
    case 'noSession':
      data = undefined;
      render();
      status.textContent = 'No Lockstep debug session. Start one (F5 on a .lockstep file) to see its timeline.';
      break;
    case 'error':
      status.textContent = `Lockstep: ${m.message}`;
      break;
  }
});

window.addEventListener('keydown', (ev) => {
  if (data === undefined) return;
  if (ev.key === 'ArrowLeft' && current > 0) vscodeApi.postMessage({ type: 'goto', step: current - 1 });
  if (ev.key === 'ArrowRight' && current < data.steps) vscodeApi.postMessage({ type: 'goto', step: current + 1 });
});
window.addEventListener('resize', render);

vscodeApi.postMessage({ type: 'ready' });
