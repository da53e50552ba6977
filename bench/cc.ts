// cc()'s reading of a source that includes big headers: the extraction from the preprocessor's output, cold and warm, against the preprocessor's own run.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { extractDeclarations } from '../lib/cc/extract';
import { packageRoot } from '../lib/package';
import { Row, median, printTable, timeEach } from './timing';

const EXTRACT = path.join(packageRoot, 'dist', 'lib', 'cc', 'extract.js');
const HEADERS = ['stdio.h', 'sqlite3.h', 'zlib.h'];
const SOURCE =
  `${HEADERS.map((h) => `#include <${h}>\n`).join('')}` +
  'int use(sqlite3 *db, z_stream *z, FILE *f) { return 0; }\nz_stream make(void) { z_stream s = {0}; return s; }\n#define LIMIT 10\n';

/** Times the first extraction in a new process: what a cold cc() pays, module loading left out. */
const COLD_CHILD = `
const { extractDeclarations } = require(process.argv[1]);
const text = require('fs').readFileSync(process.argv[2], 'utf8');
const t0 = process.hrtime.bigint();
extractDeclarations(text, { userFiles: [process.argv[3]], externals: false });
console.log(Number(process.hrtime.bigint() - t0) / 1e6);
`;

/**
 * The extraction of `cc -E -dD` output for a source including stdio.h, sqlite3.h and zlib.h:
 * cold (the first call in a new process) and warm (repeated in this one), each against the
 * preprocessor run that produced the text. Needs the compiled library (npm run prepare) and the
 * sqlite3 and zlib headers (Debian: libsqlite3-dev zlib1g-dev); without them it says so and gives no rows.
 */
export function benchCc(runs = Number(process.env.BENCH_RUNS ?? 7)): Row[] {
  if (!fs.existsSync(EXTRACT)) throw new Error(`bench/cc: ${EXTRACT} is missing; build it with 'npm run prepare'`);
  const cc = process.env.CC ?? 'cc';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-cffi-bench-cc-'));
  try {
    const file = path.join(dir, 'headers.c');
    fs.writeFileSync(file, SOURCE);
    const pp = spawnSync(cc, ['-E', '-dD', file], { encoding: 'utf8', maxBuffer: 1 << 28 });
    if (pp.status !== 0) {
      console.log(`\n(cc() extraction not measured: ${cc} -E could not read ${HEADERS.join(', ')}; install libsqlite3-dev and zlib1g-dev)`);
      return [];
    }
    const text = pp.stdout;
    const output = path.join(dir, 'headers.i');
    fs.writeFileSync(output, text);
    const preprocess = timeEach(runs, () => spawnSync(cc, ['-E', '-dD', file], { maxBuffer: 1 << 28 }));
    const cold: number[] = [];
    for (let i = 0; i < runs; i++) {
      const r = spawnSync(process.execPath, ['-e', COLD_CHILD, EXTRACT, output, file], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`bench/cc: the cold extraction failed:\n${r.stderr}`);
      cold.push(Number(r.stdout));
    }
    const options = { userFiles: [file], externals: false };
    extractDeclarations(text, options);
    const warm = timeEach(runs * 2, () => extractDeclarations(text, options));
    const what = `cc() declarations, ${HEADERS.join(' + ')} (${Math.round(text.length / 1024)} KiB)`;
    const versus = `${cc} -E -dD of the same source`;
    return [
      { what: `${what}, cold`, ours: median(cold), versus, theirs: preprocess, unit: 'ms' },
      { what: `${what}, warm`, ours: warm, versus, theirs: preprocess, unit: 'ms' },
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const rows = benchCc();
  const table = [['operation', 'node-cffi', 'compared with', 'it', 'unit', 'ratio']];
  for (const r of rows) table.push([r.what, r.ours.toFixed(2), r.versus, r.theirs.toFixed(2), r.unit, `${(r.ours / r.theirs).toFixed(2)}x`]);
  printTable('median of repeated runs; cold: the first extraction in a new process', table, [1, 3, 5]);
}
