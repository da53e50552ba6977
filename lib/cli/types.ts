// `cffi types FILE.h`: TypeScript declarations for a cdef file (or for what cc() would declare from a C file).
import * as path from 'path';
import { nodeHost } from '../host';
import { CDefError, FFI, ccDeclarations } from '../index';
import { COMPILE_OPTIONS, HELP, UsageError, VERSION, parseArgs, versionLine } from './args';
import { compileOptions, describeFailure } from './session';

const TYPES_HELP = `Usage: cffi types FILE.h [-o OUT.d.ts] [options]

Prints TypeScript declarations for the C declarations in FILE.h (the cdef
language: prototypes, structs, enums, typedefs, globals, #define NAME <integer>):
an interface with a typed method per function and a property per global and
constant, an interface per struct and union, a literal type per enum.
Use it as ffi.verify<Lib>(...). A .c file is read as cc() reads it (the
preprocessor runs, with the compile options below).

Options:
  -o, --output FILE   write the declarations to FILE instead of printing them
  --name NAME         name of the library interface (default: Lib)
  --from MODULE       module to import CData from (default: node-cffi)
  --cc, -I, -D        compiler, include directories, macros (for .c files)
  -h, --help          show this help
  -v, --version       print the version`;

export async function typesCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, [
    HELP, VERSION, { names: ['output', 'o'], value: true }, { names: ['name'], value: true }, { names: ['from'], value: true }, ...COMPILE_OPTIONS,
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
  const file = args.positionals[0];
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
    nodeHost.write('stderr', `${message}\n`);
    return 1;
  }
  const ts = declared.typescriptDeclarations({ source: path.basename(file), name: args.get('name'), importFrom: args.get('from') });
  const out = args.get('output');
  if (out === undefined) nodeHost.write('stdout', ts);
  else nodeHost.writeFileSync(out, ts);
  return 0;
}
