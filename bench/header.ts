// ffi.cdefHeader(): a whole header declared, cold (preprocessor run, selection, check) and warm (remembered declarations), against a bare `cc -E` of the same header.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { probeCompiler } from '../lib/build';
import { FFI } from '../lib/ffi';
import { packageRoot } from '../lib/package';
import { Row, coldFigures, median, printTable, timeEach } from './timing';

/** The package's entry, as a program loads it. */
const ENTRY = path.join(packageRoot, 'dist', 'node-cffi.js');
const HEADERS = ['zlib.h', 'sqlite3.h', 'stdio.h'];
/** A cold cdefHeader() should cost little more than the preprocessor run it cannot avoid. */
const COLD_TARGET = '<= 5x';

/**
 * The first cdefHeader() of a new process with a cache directory that holds nothing but the
 * compiler's version (which every first build asks once, probed by the parent beforehand): what
 * reading a header costs the first time, module loading left out.
 */
const COLD_CHILD = `
const { FFI } = require(process.argv[1]);
const options = { tmpdir: process.argv[3] };
const f0 = process.resourceUsage().minorPageFault;
const t0 = process.hrtime.bigint();
new FFI().cdefHeader(process.argv[2], options);
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
console.log(ms, process.resourceUsage().minorPageFault - f0);
`;

/**
 * cdefHeader() of zlib.h, sqlite3.h and <stdio.h>: cold (a new process, an empty cache directory) and
 * warm (a new FFI in a process that has read the header before, the declarations remembered), each against `cc -E -dD` of a
 * file that only includes the header. Needs the compiled library (npm run prepare); a header that
 * is not installed is said and left out.
 */
export function benchHeader(runs = Number(process.env.BENCH_RUNS ?? 7)): Row[] {
  if (!fs.existsSync(ENTRY)) throw new Error(`bench/header: ${ENTRY} is missing; build it with 'npm run prepare'`);
  const cc = process.env.CC ?? 'cc';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-bench-header-'));
  const rows: Row[] = [];
  try {
    for (const header of HEADERS) {
      const file = path.join(dir, `${header.replace(/\W/g, '_')}.c`);
      fs.writeFileSync(file, `#include <${header}>\n`);
      if (spawnSync(cc, ['-E', '-dD', file]).status !== 0) {
        console.log(`\n(cdefHeader('${header}') not measured: ${cc} -E cannot read it)`);
        continue;
      }
      // A cold child and a preprocessor run take turns, so that machine noise hits both alike.
      const cold: number[] = [];
      // The pages the process wrote for the first time during the call (minor page faults, all its threads; the compiler's are its own).
      const coldFaults: number[] = [];
      const bare: number[] = [];
      for (let i = 0; i < runs; i++) {
        const cache = fs.mkdtempSync(path.join(dir, 'cold-'));
        probeCompiler({ tmpdir: cache });
        const r = spawnSync(process.execPath, ['-e', COLD_CHILD, ENTRY, header, cache], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`bench/header: the cold cdefHeader('${header}') failed:\n${r.stderr}`);
        const { ms, pages } = coldFigures(r.stdout);
        cold.push(ms);
        coldFaults.push(pages);
        bare.push(timeEach(1, () => spawnSync(cc, ['-E', '-dD', file], { maxBuffer: 1 << 28 })));
      }
      const preprocess = median(bare);
      const options = { tmpdir: path.join(dir, 'warm') };
      for (let i = 0; i < 3; i++) new FFI().cdefHeader(header, options); // the first reads it; the others warm the parser up
      const warm = timeEach(runs * 2, () => new FFI().cdefHeader(header, options));
      const versus = `${cc} -E -dD of #include <${header}>`;
      rows.push({ what: `cdefHeader('${header}'), cold`, ours: median(cold), versus, theirs: preprocess, unit: 'ms', target: COLD_TARGET });
      rows.push({ what: `cdefHeader('${header}'), cold: pages written first (minor faults)`, ours: median(coldFaults), versus: '-', theirs: NaN, unit: 'pages' });
      rows.push({ what: `cdefHeader('${header}'), warm`, ours: warm, versus, theirs: preprocess, unit: 'ms' });
    }
    return rows;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const rows = benchHeader();
  const table = [['operation', 'node-cffi', 'compared with', 'it', 'unit', 'ratio', 'target']];
  for (const r of rows) table.push([r.what, r.ours.toFixed(2), r.versus, r.theirs.toFixed(2), r.unit, `${(r.ours / r.theirs).toFixed(2)}x`, r.target ?? '']);
  printTable('median of repeated runs; cold: the first cdefHeader() in a new process, empty cache', table, [1, 3, 5]);
}
