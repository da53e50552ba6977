// A stand-in pkg-config for tests: a script $PKG_CONFIG names (as autotools and meson take it) that logs each call and knows one package.
import * as fs from 'fs';
import * as path from 'path';

/**
 * Writes `<dir>/fake-pkg-config`, which appends its arguments to `<dir>/calls.log`, prints `cflags`
 * or `libs` for `pkg` (one line each, as `echo` prints them), and fails for any other package with
 * pkg-config's words. Returns the script's path and the log's.
 */
export function fakePkgConfig(dir: string, pkg: string, flags: { cflags: string; libs: string }): { program: string; calls: string } {
  const calls = path.join(dir, 'calls.log');
  const program = path.join(dir, 'fake-pkg-config');
  fs.writeFileSync(
    program,
    `#!/bin/sh
echo "$*" >> '${calls}'
last=""; for a in "$@"; do last="$a"; done
if [ "$last" != '${pkg}' ]; then echo "Package $last was not found in the pkg-config search path." >&2; exit 1; fi
case "$2" in
  --cflags) echo "${flags.cflags}" ;;
  --libs) echo "${flags.libs}" ;;
esac
`,
    { mode: 0o755 },
  );
  return { program, calls };
}
