// `cffi types FILE.h`: TypeScript declarations for a cdef file (or for what cc() would declare from a C file).
import * as path from 'path';
import { nodeHost } from '../host';
import { CDefError, FFI, ccDeclarations } from '../index';
import { COMPILE_OPTIONS, HELP, Parsed, UsageError, VERSION, parseArgs, versionLine } from './args';
import { compileOptions, describeFailure } from './session';

const TYPES_HELP = `Usage: cffi types FILE.h [-o OUT.d.ts] [options]

Prints TypeScript declarations for the C declarations in FILE.h (the cdef
language: prototypes, structs, enums, typedefs, globals, #define NAME <integer>):
an interface with a typed method per function and a property per global and
constant, an interface per struct and union, a literal type per enum.
Use it as ffi.verify<Lib>(...). A .c file is read as cc() reads it (the
preprocessor runs, with the compile options below). A header that is not a
file here ('sqlite3.h', 'openssl/evp.h'), or any file with --header, is read
whole as ffi.cdefHeader() reads it: the system preprocessor finds it.

Options:
  -o, --output FILE   write the declarations to FILE instead of printing them
  --name NAME         name of the library interface (default: Lib)
  --from MODULE       module to import CData from (default: node-cffi)
  --header            read FILE.h as a C header (ffi.cdefHeader), not as cdef
  --only REGEX        with a header: only the names REGEX matches
  --cc, -I, -D, -U    compiler, include directories, macros (for .c files and headers)
  --pkg-config PKG    add the flags pkg-config gives for PKG (repeatable)
  -h, --help          show this help
  -v, --version       print the version`;

export async function typesCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, [
    HELP, VERSION, { names: ['output', 'o'], value: true }, { names: ['name'], value: true }, { names: ['from'], value: true },
    { names: ['header'], value: false }, { names: ['only'], value: true }, ...COMPILE_OPTIONS,
  ]);
  if (args.has('help')) {
    nodeHost.write('stdout', `${TYPES_HELP}\n`);
    return 0;
  }
  if (args.has('version')) {
    nodeHost.write('stdout', versionLine());
    return 0;
  }
  if (args.positionals.length !== 1) throw new UsageError('types: name one declarations file (FILE.h)');
  checkName(args.get('name'));
  const file = args.positionals[0];
  if (args.has('header') || (/\.h$/.test(file) && nodeHost.statSync(file) === undefined)) return headerTypes(file, args);
  let text: string;
  try {
    text = nodeHost.readFileSync(file).toString('utf8');
  } catch (e) {
    nodeHost.write('stderr', `cffi types: cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}\n`);
    return 1;
  }
  const declared = new FFI();
  try {
    if (file.endsWith('.c')) {
      for (const c of ccDeclarations(text, compileOptions(args, file)).cdefs) declared.cdef(c.source, c.pack ? { pack: c.pack } : {});
    } else {
      declared.cdef(text);
    }
  } catch (e) {
    // cdef positions are lines and columns of the file: name it.
    const message = e instanceof CDefError ? e.message.replace(/^cdef:/, `${file}:`) : describeFailure(e);
    // A directive cdef does not take (an #include guard, #include) means a real header, which --header reads.
    const hint = e instanceof CDefError && !file.endsWith('.c') && /'#\w+' is not supported in cdef/.test(e.message) ? `\n(${file} is read as cdef; to read it as a C header, as ffi.cdefHeader() does, run: cffi types --header ${file})` : '';
    nodeHost.write('stderr', `${message}${hint}\n`);
    return 1;
  }
  const ts = declared.typescriptDeclarations({ source: path.basename(file), name: args.get('name'), importFrom: args.get('from') });
  const out = args.get('output');
  if (out === undefined) nodeHost.write('stdout', ts);
  else nodeHost.writeFileSync(out, ts);
  return 0;
}

/** Refuses a --name the declarations cannot use as the interface's name, by the rule the API applies. */
function checkName(name: string | undefined): void {
  if (name === undefined) return;
  try {
    new FFI().typescriptDeclarations({ name });
  } catch (e) {
    throw new UsageError(`--name ${(e as Error).message.replace(/^.*?options\.name /, '')}`);
  }
}

/** `cffi types sqlite3.h`: the declarations of a whole C header, as ffi.cdefHeader() reads it. */
function headerTypes(header: string, args: Parsed): number {
  let only: RegExp | undefined;
  const pattern = args.get('only');
  if (pattern !== undefined) {
    try {
      only = new RegExp(pattern);
    } catch (e) {
      throw new UsageError(`--only ${pattern}: not a regular expression (${(e as Error).message})`);
    }
  }
  const { includeDirs, defineMacros, undefMacros, compiler, pkgconfig } = compileOptions(args, null);
  const declared = new FFI();
  try {
    declared.cdefHeader(header, { includeDirs, defineMacros, undefMacros, ...(compiler ? { compiler } : {}), ...(pkgconfig ? { pkgconfig } : {}), ...(only ? { only } : {}) });
  } catch (e) {
    nodeHost.write('stderr', `${describeFailure(e)}\n`);
    return 1;
  }
  const skipped = declared.skipped().filter((s) => s.mode === 'all').length;
  const ts = declared.typescriptDeclarations({ source: header, name: args.get('name'), importFrom: args.get('from') });
  const out = args.get('output');
  if (out === undefined) nodeHost.write('stdout', ts);
  else nodeHost.writeFileSync(out, ts);
  if (skipped) nodeHost.write('stderr', `cffi types: ${skipped} declarations of ${header} were left out (ffi.skipped() lists them with the reason)\n`);
  return 0;
}
