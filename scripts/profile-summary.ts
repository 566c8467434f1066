/**
 * Summarizes a V8 .cpuprofile (from `node --cpu-prof`, e.g. BENCH_PROFILE=1 npm run bench):
 * the top frames by self time and the top packages, as text for docs/performance.md.
 *   npx ts-node -T scripts/profile-summary.ts .bench-profile/<file>.cpuprofile [count]
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

const [file, countArg] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8')) as {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
};
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => {
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
const byFrame = new Map<string, number>();
const byPackage = new Map<string, number>();
for (const node of profile.nodes) {
  const us = selfUs.get(node.id) ?? 0;
  const { functionName, url, lineNumber } = node.callFrame;
  const short = url
    .replace(/^.*node_modules\//, '')
    .replace(/^file:\/\/.*\/(src|scripts)\//, '$1/');
  const frame = `${functionName || '(anonymous)'} ${short}:${lineNumber + 1}`;
  byFrame.set(frame, (byFrame.get(frame) ?? 0) + us);
  const pkg = url.includes('node_modules/')
    ? url
        .split('node_modules/')[1]
        .split('/')
        .slice(0, url.split('node_modules/')[1].startsWith('@') ? 2 : 1)
        .join('/')
    : url.startsWith('node:') || url === ''
      ? functionName.startsWith('(')
        ? functionName
        : 'node internals'
      : url.includes('/src/')
        ? 'src (Rebill)'
        : 'other';
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
}
const pct = (us: number) => `${((100 * us) / total).toFixed(1)}%`;
const n = Number(countArg ?? 25);
process.stdout.write(`total sampled: ${(total / 1e6).toFixed(1)} s\n\nby package (self time)\n`);
for (const [pkg, us] of [...byPackage]
  .sort((x, y) => y[1] - x[1])
  .slice(0, Number(process.env.PACKAGES ?? 15))) {
  process.stdout.write(`${pct(us).padStart(6)}  ${pkg}\n`);
}
process.stdout.write(`\ntop ${n} frames (self time)\n`);
for (const [frame, us] of [...byFrame].sort((x, y) => y[1] - x[1]).slice(0, n)) {
  process.stdout.write(`${pct(us).padStart(6)}  ${frame}\n`);
}
