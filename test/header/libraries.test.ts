// Whole headers bound with no declaration written by hand: zlib, sqlite3, OpenSSL, libpng, libyaml and glibc doing real work through ffi.cdefHeader().
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { FFI } from '../../lib/ffi';
import type { Lib } from '../../lib/clib';
import { FFIError } from '../../lib/errors';
import { readHeader } from '../../lib/header';
import type { StructType } from '../../lib/ctype/model';

/** A header from Debian's -dev package, or the reason its tests skip. */
function need(header: string, pkg: string): string | null {
  // Debian's multiarch directory (/usr/include/x86_64-linux-gnu) holds sys/socket.h.
  const multiarch = fs.readdirSync('/usr/include').filter((d) => d.includes('-linux-')).map((d) => path.join('/usr/include', d));
  return ['/usr/include', '/usr/local/include', ...multiarch].some((d) => fs.existsSync(path.join(d, header)))
    ? null
    : `${header} is not installed (Debian: apt-get install ${pkg})`;
}

/** A describe block whose tests skip, with the reason in their titles, when the header is missing. */
function withHeader(header: string, pkg: string, body: (t: jest.It) => void): void {
  const missing = need(header, pkg);
  if (missing) console.warn(`cdefHeader tests of ${header} skipped: ${missing}`);
  const t = (missing ? (name: string, fn: jest.ProvidesCallback) => test.skip(`${name} (skipped: ${missing})`, fn) : test) as jest.It;
  describe(header, () => body(t));
}

withHeader('zlib.h', 'zlib1g-dev', (it) => {
  let ffi: FFI;
  let z: Lib;
  beforeAll(() => {
    if (need('zlib.h', 'zlib1g-dev')) return;
    ffi = new FFI();
    ffi.cdefHeader('zlib.h');
    z = ffi.verify('#include <zlib.h>', { libraries: ['z'] });
  });

  it('compressBound, declared by the header, gives zlib\'s bound', () => {
    // zlib's documented bound: sourceLen + (sourceLen >> 12) + (sourceLen >> 14) + (sourceLen >> 25) + 13.
    expect(z.compressBound(1000)).toBe(1000 + 0 + 0 + 0 + 13);
    expect(z.ZLIB_VERSION).toBe(ffi.string(z.zlibVersion()));
    expect([z.Z_OK, z.Z_STREAM_END, z.Z_FINISH, z.Z_DEFLATED]).toEqual([0, 1, 4, 8]);
  });

  it('round trip through the deflateInit and inflateInit macros, deflate and inflate', () => {
    const input = Buffer.from('node-cffi binds whole headers. '.repeat(200));
    const src = ffi.new('unsigned char[]', input.length);
    ffi.memmove(src, input, input.length);
    const packed = ffi.new('unsigned char[]', z.compressBound(input.length));
    const d = ffi.new('z_stream *');
    expect(z.deflateInit(d, z.Z_BEST_COMPRESSION)).toBe(z.Z_OK);
    d.next_in = src;
    d.avail_in = input.length;
    d.next_out = packed;
    d.avail_out = z.compressBound(input.length);
    expect(z.deflate(d, z.Z_FINISH)).toBe(z.Z_STREAM_END);
    const packedLength = Number(d.total_out);
    expect(z.deflateEnd(d)).toBe(z.Z_OK);
    expect(packedLength).toBeLessThan(input.length / 10);

    const back = ffi.new('unsigned char[]', input.length);
    const i = ffi.new('z_stream *');
    expect(z.inflateInit(i)).toBe(z.Z_OK);
    i.next_in = packed;
    i.avail_in = packedLength;
    i.next_out = back;
    i.avail_out = input.length;
    expect(z.inflate(i, z.Z_FINISH)).toBe(z.Z_STREAM_END);
    expect(z.inflateEnd(i)).toBe(z.Z_OK);
    expect(ffi.buffer(back, input.length).equals(input)).toBe(true);
  });

  it('what is left out is listed with the reason, and using it says why', () => {
    const skipped = Object.fromEntries(ffi.skipped().map((s) => [s.name, s]));
    expect(skipped.gzvprintf).toMatchObject({ mode: 'all', reason: expect.stringContaining("'va_list'") });
    expect(skipped.deflateInit).toMatchObject({ mode: 'dlopen', reason: expect.stringContaining('macro') });
    expect(() => z.gzvprintf).toThrow(FFIError);
    expect(() => z.gzvprintf).toThrow(/'gzvprintf' was left out of the header's declarations \(.*zlib\.h:\d+\): it takes a 'va_list'/);
  });

  it('ABI mode: dlopen() of the system zlib with the header\'s declarations; macros are refused with the reason', () => {
    const abi = new FFI();
    abi.cdefHeader('zlib.h', { only: /^(compressBound|zlibVersion|deflateInit|Z_OK)$/ });
    const lib = abi.dlopen('libz.so.1');
    expect(lib.compressBound(1000)).toBe(z.compressBound(1000));
    expect(abi.string(lib.zlibVersion())).toBe(z.ZLIB_VERSION);
    expect(lib.Z_OK).toBe(0);
    expect(() => lib.deflateInit).toThrow(/'deflateInit' is not in libraries from dlopen\(\) \(.*zlib\.h:\d+\): it is a macro; only verify\(\) calls it/);
    // The filter kept the rest out.
    expect(() => lib.deflate).toThrow(/no function, global or constant named 'deflate'/);
  });
});

withHeader('sqlite3.h', 'libsqlite3-dev', (it) => {
  let ffi: FFI;
  let s: Lib;
  beforeAll(() => {
    if (need('sqlite3.h', 'libsqlite3-dev')) return;
    ffi = new FFI();
    ffi.cdefHeader('sqlite3.h');
    s = ffi.verify('#include <sqlite3.h>', { libraries: ['sqlite3'] });
  });

  it('create, insert and select, rows coming back through a callback', () => {
    expect(ffi.string(s.sqlite3_libversion())).toBe(s.SQLITE_VERSION);
    const pdb = ffi.new('sqlite3 **');
    expect(s.sqlite3_open(':memory:', pdb)).toBe(s.SQLITE_OK);
    const db = pdb[0];
    const run = (sql: string, cb: unknown = null) => s.sqlite3_exec(db, sql, cb, null, null);
    expect(run("create table t(a integer, b text); insert into t values (1, 'one'), (2, 'two');")).toBe(s.SQLITE_OK);
    const stmt = ffi.new('sqlite3_stmt **');
    expect(s.sqlite3_prepare_v2(db, 'insert into t values (?, ?)', -1, stmt, null)).toBe(s.SQLITE_OK);
    const text = ffi.new('char[]', 'three');
    expect(s.sqlite3_bind_int(stmt[0], 1, 3)).toBe(s.SQLITE_OK);
    expect(s.sqlite3_bind_text(stmt[0], 2, text, -1, s.SQLITE_STATIC)).toBe(s.SQLITE_OK);
    expect(s.sqlite3_step(stmt[0])).toBe(s.SQLITE_DONE);
    expect(s.sqlite3_finalize(stmt[0])).toBe(s.SQLITE_OK);
    const rows: string[] = [];
    const cb = ffi.callback('int(void *, int, char **, char **)', (_u: unknown, n: number, vals: Lib, names: Lib) => {
      const row: string[] = [];
      for (let i = 0; i < n; i++) row.push(`${ffi.string(names[i])}=${ffi.string(vals[i])}`);
      rows.push(row.join(','));
      return 0;
    });
    expect(run('select a, b from t order by a', cb)).toBe(s.SQLITE_OK);
    expect(rows).toEqual(['a=1,b=one', 'a=2,b=two', 'a=3,b=three']);
    expect(s.SQLITE_ROW).toBe(100);
    expect(s.sqlite3_close(db)).toBe(s.SQLITE_OK);
  });

  it('ABI mode: sqlite3_libversion() from the system library, with only the probe library compiled', () => {
    const abi = new FFI();
    abi.cdefHeader('sqlite3.h');
    const lib = abi.dlopen('libsqlite3.so.0');
    expect(abi.string(lib.sqlite3_libversion())).toBe(lib.SQLITE_VERSION);
    expect(abi.sizeof('sqlite3_vfs')).toBe(ffi.sizeof('sqlite3_vfs'));
  });

  it('pointer constants: SQLITE_STATIC is NULL, SQLITE_TRANSIENT the sentinel (void *)-1, which sqlite3 recognises', () => {
    expect(s.SQLITE_STATIC).toBeNull();
    expect(ffi.cast('intptr_t', s.SQLITE_TRANSIENT)).toBe(-1);
    expect(ffi.skipped().find((x) => x.name === 'SQLITE_TRANSIENT')).toBeUndefined();
    // SQLITE_TRANSIENT makes sqlite3 copy the text at once: the buffer may change right after the call.
    const pdb = ffi.new('sqlite3 **');
    expect(s.sqlite3_open(':memory:', pdb)).toBe(s.SQLITE_OK);
    const db = pdb[0];
    expect(s.sqlite3_exec(db, 'create table t(b text)', null, null, null)).toBe(s.SQLITE_OK);
    const stmt = ffi.new('sqlite3_stmt **');
    expect(s.sqlite3_prepare_v2(db, 'insert into t values (?)', -1, stmt, null)).toBe(s.SQLITE_OK);
    const text = ffi.new('char[]', 'kept');
    expect(s.sqlite3_bind_text(stmt[0], 1, text, -1, s.SQLITE_TRANSIENT)).toBe(s.SQLITE_OK);
    ffi.memmove(text, Buffer.from('gone'), 4);
    expect(s.sqlite3_step(stmt[0])).toBe(s.SQLITE_DONE);
    expect(s.sqlite3_finalize(stmt[0])).toBe(s.SQLITE_OK);
    const q = ffi.new('sqlite3_stmt **');
    expect(s.sqlite3_prepare_v2(db, 'select b from t', -1, q, null)).toBe(s.SQLITE_OK);
    expect(s.sqlite3_step(q[0])).toBe(s.SQLITE_ROW);
    expect(ffi.string(ffi.cast('char *', s.sqlite3_column_text(q[0], 0)))).toBe('kept');
    expect(s.sqlite3_finalize(q[0])).toBe(s.SQLITE_OK);
    expect(s.sqlite3_close(db)).toBe(s.SQLITE_OK);
  });
});

withHeader('openssl/evp.h', 'libssl-dev', (it) => {
  it("SHA-256 through OpenSSL's EVP API equals node:crypto's", () => {
    const ffi = new FFI();
    ffi.cdefHeader('openssl/evp.h');
    const e = ffi.verify('#include <openssl/evp.h>', { libraries: ['crypto'] });
    const data = Buffer.from('The quick brown fox jumps over the lazy dog');
    const ctx = e.EVP_MD_CTX_new();
    expect(e.EVP_DigestInit_ex(ctx, e.EVP_sha256(), null)).toBe(1);
    expect(e.EVP_DigestUpdate(ctx, data, data.length)).toBe(1);
    const md = ffi.new('unsigned char[]', e.EVP_MAX_MD_SIZE);
    const len = ffi.new('unsigned int *');
    expect(e.EVP_DigestFinal_ex(ctx, md, len)).toBe(1);
    // A macro passing its parameter to a call in an argument (`EVP_MD_get_size(EVP_MD_CTX_get0_md(e))`),
    // and one naming that macro (`#define EVP_MD_CTX_size EVP_MD_CTX_get_size`), through wrappers.
    expect([e.EVP_MD_CTX_get_size(ctx), e.EVP_MD_CTX_size(ctx)]).toEqual([32, 32]);
    e.EVP_MD_CTX_free(ctx);
    expect(ffi.buffer(md, len[0]).toString('hex')).toBe(createHash('sha256').update(data).digest('hex'));
    // An object-like macro naming a function (OpenSSL 3's old names) is called through its wrapper.
    expect(e.EVP_MD_size(e.EVP_sha256())).toBe(32);
  });

  it("ABI mode: a macro that only renames a function is that function (EVP_MD_size is EVP_MD_get_size); one that does more is refused", () => {
    const ffi = new FFI();
    ffi.cdefHeader('openssl/evp.h');
    const e = ffi.dlopen('crypto');
    // Object-like (`#define EVP_MD_size EVP_MD_get_size`) and function-like (`#define EVP_MD_CTX_create() EVP_MD_CTX_new()`).
    expect(e.EVP_MD_size(e.EVP_sha256())).toBe(32);
    const ctx = e.EVP_MD_CTX_create();
    expect(ctx).not.toBeNull();
    expect(e.EVP_DigestInit_ex(ctx, e.EVP_sha512(), null)).toBe(1);
    expect(e.EVP_MD_size(e.EVP_MD_CTX_get0_md(ctx))).toBe(64);
    e.EVP_MD_CTX_destroy(ctx); // `#define EVP_MD_CTX_destroy(ctx) EVP_MD_CTX_free((ctx))`
    const left = new Set(ffi.skipped().filter((s) => s.mode === 'dlopen').map((s) => s.name));
    expect(['EVP_MD_size', 'EVP_MD_CTX_create', 'EVP_MD_CTX_destroy'].filter((n) => left.has(n))).toEqual([]);
    // A macro that adds an argument is for verify() only: `EVP_PKEY_assign_RSA(pkey, rsa)` is
    // `EVP_PKEY_assign((pkey), EVP_PKEY_RSA, (rsa))`.
    expect(left.has('EVP_PKEY_assign_RSA')).toBe(true);
    expect(() => e.EVP_PKEY_assign_RSA).toThrow(/'EVP_PKEY_assign_RSA' is not in libraries from dlopen\(\) \(.*evp\.h:\d+\): it is a macro/);
  });
});

withHeader('png.h', 'libpng-dev', (it) => {
  it('libpng: its version, and a small PNG written to memory and read back', () => {
    const ffi = new FFI();
    ffi.cdefHeader('png.h');
    const p = ffi.verify('#include <png.h>', { libraries: ['png16'] });
    expect(ffi.string(p.png_get_libpng_ver(null))).toBe(p.PNG_LIBPNG_VER_STRING);
    expect(p.PNG_LIBPNG_VER_STRING.split('.').map(Number)).toEqual([
      Math.floor(p.PNG_LIBPNG_VER / 10000), Math.floor(p.PNG_LIBPNG_VER / 100) % 100, p.PNG_LIBPNG_VER % 100,
    ]);
    const [w, h] = [3, 2];
    const pixels = Buffer.from(Array.from({ length: w * h * 4 }, (_, i) => (i * 37) & 0xff));
    const image = ffi.new('png_image *', { version: p.PNG_IMAGE_VERSION, width: w, height: h, format: p.PNG_FORMAT_RGBA });
    const size = ffi.new('size_t *');
    expect(p.png_image_write_to_memory(image, null, size, 0, pixels, 0, null)).toBe(1); // asks for the size
    const file = ffi.new('unsigned char[]', Number(size[0]));
    expect(p.png_image_write_to_memory(image, file, size, 0, pixels, 0, null)).toBe(1);
    const bytes = ffi.buffer(file, Number(size[0]));
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));

    const read = ffi.new('png_image *', { version: p.PNG_IMAGE_VERSION });
    expect(p.png_image_begin_read_from_memory(read, file, size[0])).toBe(1);
    expect([read.width, read.height]).toEqual([w, h]);
    read.format = p.PNG_FORMAT_RGBA;
    const out = ffi.new('unsigned char[]', w * h * 4);
    expect(p.png_image_finish_read(read, null, out, 0, null)).toBe(1);
    expect(ffi.buffer(out, w * h * 4).equals(pixels)).toBe(true);
  });
});

withHeader('yaml.h', 'libyaml-dev', (it) => {
  it('libyaml parses a document into its events', () => {
    const ffi = new FFI();
    ffi.cdefHeader('yaml.h');
    const y = ffi.verify('#include <yaml.h>', { libraries: ['yaml'] });
    const parser = ffi.new('yaml_parser_t *');
    expect(y.yaml_parser_initialize(parser)).toBe(1);
    const doc = Buffer.from('name: node-cffi\nheaders: [zlib.h, yaml.h]\n');
    y.yaml_parser_set_input_string(parser, doc, doc.length);
    const event = ffi.new('yaml_event_t *');
    const seen: string[] = [];
    for (let n = 0; n < 100; n++) {
      expect(y.yaml_parser_parse(parser, event)).toBe(1);
      const type = Number(event.type);
      if (type === y.YAML_SCALAR_EVENT) seen.push(ffi.string(event.data.scalar.value, Number(event.data.scalar.length)));
      else if (type === y.YAML_SEQUENCE_START_EVENT) seen.push('[');
      else if (type === y.YAML_SEQUENCE_END_EVENT) seen.push(']');
      y.yaml_event_delete(event);
      if (type === y.YAML_STREAM_END_EVENT) break;
    }
    y.yaml_parser_delete(parser);
    expect(seen).toEqual(['name', 'node-cffi', 'headers', '[', 'zlib.h', 'yaml.h', ']']);
    expect(y.YAML_STR_TAG).toBe('tag:yaml.org,2002:str');
  });

  // The dynamic linker's cache lists libyaml-0.so.2 only; ctypes' find_library('yaml') asks gcc,
  // whose -lyaml takes the development link libyaml.so. dlopen('yaml') said "no such library".
  it("dlopen('yaml') opens the library -lyaml links, where the dynamic linker's cache has no libyaml.so", () => {
    const ffi = new FFI();
    ffi.cdefHeader('yaml.h', { only: /^yaml_get_version_string$/ });
    expect(ffi.string(ffi.dlopen('yaml').yaml_get_version_string())).toMatch(/^\d+\.\d+\.\d+$/); // CFFI: b'0.2.5'
  });
});

withHeader('stdio.h', 'libc6-dev', (it) => {
  it('strftime, localtime_r and snprintf from libc; one function of stdio.h binds one function', () => {
    const ffi = new FFI();
    ffi.cdefHeader('stdio.h', { only: /^snprintf$/ });
    ffi.cdefHeader('time.h');
    ffi.cdefHeader('string.h');
    const c = ffi.verify('#include <stdio.h>\n#include <time.h>\n#include <string.h>\n');
    const when = 1_700_000_000;
    const tm = ffi.new('struct tm *');
    expect(c.localtime_r(ffi.new('time_t *', when), tm)).not.toBeNull();
    const buf = ffi.new('char[]', 64);
    const n = c.strftime(buf, 64, '%Y-%m-%d %H:%M', tm);
    const d = new Date(when * 1000);
    const pad = (v: number) => String(v).padStart(2, '0');
    const expected = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
    expect(ffi.string(buf)).toBe(expected);
    expect(n).toBe(expected.length);
    expect(c.snprintf(buf, 64, '%s=%d', ['char *', 'answer'], ['int', 42])).toBe(9);
    expect(ffi.string(buf)).toBe('answer=42');
    expect(c.strlen(buf)).toBe(9);
    expect(() => c.printf).toThrow(/no function, global or constant named 'printf'/);
  });

  it("dlopen() binds the symbols glibc's asm labels name: sscanf is __isoc99_sscanf, fopen with 64-bit offsets fopen64", () => {
    const ffi = new FFI();
    ffi.cdefHeader('stdio.h', { only: /^(sscanf|fopen|fclose)$/, defineMacros: [['_FILE_OFFSET_BITS', '64']] });
    const libc = ffi.dlopen(null);
    const n = ffi.new('int *');
    expect(libc.sscanf('42', '%d', ['int *', n])).toBe(1);
    expect(n[0]).toBe(42);
    const plain = new FFI();
    plain.cdef('int __isoc99_sscanf(const char *, const char *, ...); void *fopen64(const char *, const char *);');
    const byLabel = plain.dlopen(null);
    const address = (f: FFI, lib: object, name: string) => f.cast('uintptr_t', f.addressof(lib as never, name));
    expect(address(ffi, libc, 'sscanf')).toBe(address(plain, byLabel, '__isoc99_sscanf'));
    expect(address(ffi, libc, 'fopen')).toBe(address(plain, byLabel, 'fopen64'));
  });
});

withHeader('fcntl.h', 'libc6-dev', (it) => {
  // glibc keeps much of a header's API in bits/ files (O_RDONLY in bits/fcntl-linux.h,
  // pthread_kill in bits/sigthread.h, SOCK_STREAM in bits/socket_type.h's enum, _SC_PAGESIZE in
  // bits/confname.h's), the kernel's
  // headers hold errno's values, and gcc's limits.h and stdint.h reach glibc's with #include_next.
  it("what a header keeps in bits/ files, the kernel's headers and #include_next comes with it", () => {
    const ffi = new FFI();
    // (stdio.h includes bits/stdio.h under -O: a part, not stdio.h itself reached again.)
    const headers = ['fcntl.h', 'errno.h', 'signal.h', 'sys/socket.h', 'limits.h', 'stdint.h', 'unistd.h', 'math.h', 'stdio.h'];
    for (const h of headers) ffi.cdefHeader(h);
    const c = ffi.verify(headers.map((h) => `#include <${h}>\n`).join(''), { libraries: ['m'] });
    const fd = c.open('/dev/null', c.O_RDONLY | c.O_CLOEXEC);
    expect(fd).toBeGreaterThanOrEqual(0);
    expect(c.fcntl(fd, c.F_GETFD) & c.FD_CLOEXEC).toBe(c.FD_CLOEXEC);
    expect(c.close(fd)).toBe(0);
    expect(c.open('/nonexistent/node-cffi', c.O_RDONLY)).toBe(-1);
    expect(ffi.errno).toBe(c.ENOENT);
    const s = c.socket(c.AF_UNIX, c.SOCK_STREAM, 0);
    expect(s).toBeGreaterThanOrEqual(0);
    expect(c.close(s)).toBe(0);
    expect(c.kill(c.getpid(), 0)).toBe(0);
    // bits/confname.h's _SC_* names are the enumerators of an enum without a tag.
    expect(c.sysconf(c._SC_PAGESIZE)).toBeGreaterThanOrEqual(4096);
    expect(typeof c.pthread_kill).toBe('function');
    expect([c.SIGTERM, c.PATH_MAX, c.INT32_MAX, c.SIZE_MAX]).toEqual([15, 4096, 2 ** 31 - 1, 2n ** 64n - 1n]);
    expect(c.sqrt(2)).toBe(Math.SQRT2);
    // The same through dlopen(): the constants need no compile of ours beyond the probes.
    const libc = ffi.dlopen(null);
    expect([libc.O_RDONLY, libc.EINVAL, libc.SOCK_STREAM]).toEqual([c.O_RDONLY, c.EINVAL, c.SOCK_STREAM]);
    // bits/mathcalls.h declares __sqrt beside sqrt (one macro makes both): the implementation's, not bound.
    expect(Object.keys(libc)).toContain('sqrt');
    expect(Object.keys(libc).filter((k) => /^__(sqrt|acos)$/.test(k))).toEqual([]);
    // Nor are the bits/ files' guards and helper macros listed as left out: only the headers' own.
    expect(ffi.skipped().filter((s) => /reserved/.test(s.reason) && /\/(bits|linux|asm|asm-generic)\//.test(s.where))).toEqual([]);
    expect(ffi.skipped().some((s) => s.name === '_FCNTL_H' && /reserved/.test(s.reason))).toBe(true);
  });

  it("a struct a bits/ file defines and no declaration names comes too: struct flock, fcntl()'s through its '...'", () => {
    const ffi = new FFI();
    ffi.cdefHeader('fcntl.h');
    ffi.cdefHeader('unistd.h');
    const libc = ffi.dlopen(null); // the probe library checks its layout
    expect((ffi.typeof('struct flock') as StructType).fields!.map((f) => f.name)).toEqual(['l_type', 'l_whence', 'l_start', 'l_len', 'l_pid']);
    const fd = libc.open('/dev/null', libc.O_RDWR);
    expect(fd).toBeGreaterThanOrEqual(0);
    const lock = ffi.new('struct flock *', { l_type: libc.F_WRLCK, l_whence: libc.SEEK_SET });
    // No process holds a lock on it: F_GETLK says so in the struct.
    expect(libc.fcntl(fd, libc.F_GETLK, lock)).toBe(0);
    expect(lock.l_type).toBe(libc.F_UNLCK);
    expect(libc.close(fd)).toBe(0);
  });
});

withHeader('math.h', 'libc6-dev', (it) => {
  // stdint.h's 64-bit limits call __INT64_C(c) (c ## L); float.h's are casts to double; math.h's
  // HUGE_VAL, INFINITY and NAN are GCC builtins; FP_NAN is an enumerator and a #define of it.
  it("limits and floating constants are what C's own expressions give, through dlopen() and verify()", () => {
    const ffi = new FFI();
    const headers = ['stdint.h', 'float.h', 'math.h'];
    for (const h of headers) ffi.cdefHeader(h);
    const names = ['UINT64_MAX', 'INT64_MAX', 'INT64_MIN', 'INTMAX_MIN', 'UINTPTR_MAX', 'DBL_MAX', 'DBL_MIN', 'DBL_EPSILON', 'FLT_MAX', 'HUGE_VAL', 'INFINITY', 'FP_NAN'];
    ffi.cdef('unsigned long long c_u64max(void); long long c_i64min(void); double c_dblmax(void); double c_dblmin(void); double c_huge(void); int c_isnan(double);');
    const libc = ffi.dlopen(null);
    // The compiler's own values of the same macros, returned by C functions.
    const c = ffi.verify(
      `${headers.map((h) => `#include <${h}>\n`).join('')}unsigned long long c_u64max(void) { return UINT64_MAX; }\n` +
        'long long c_i64min(void) { return INT64_MIN; }\ndouble c_dblmax(void) { return DBL_MAX; }\ndouble c_dblmin(void) { return DBL_MIN; }\n' +
        'double c_huge(void) { return HUGE_VAL; }\nint c_isnan(double x) { return isnan(x); }\n',
    );
    expect([c.c_u64max(), c.c_i64min(), c.c_dblmax(), c.c_dblmin(), c.c_huge()]).toEqual([libc.UINT64_MAX, libc.INT64_MIN, libc.DBL_MAX, libc.DBL_MIN, libc.HUGE_VAL]);
    expect(c.c_isnan(libc.NAN)).toBe(1);
    expect(names.map((n) => libc[n])).toEqual([
      2n ** 64n - 1n, 2n ** 63n - 1n, -(2n ** 63n), -(2n ** 63n), 2n ** 64n - 1n,
      Number.MAX_VALUE, 2 ** -1022, Number.EPSILON, Math.fround(3.4028234663852886e38), Infinity, Infinity, 0,
    ]);
    expect(Number.isNaN(libc.NAN)).toBe(true);
    // The _FloatN constants' literals carry their type's suffix (__f32(x) is x##f32).
    expect([libc.M_PIf32, libc.M_PIf64, libc.M_PIf32x]).toEqual([Math.fround(Math.PI), Math.PI, Math.PI]);
    // The values are JSON-safe data, as the cache keeps them: HUGE_VAL and NAN come back from it too.
    const values = readHeader('math.h').values;
    expect(JSON.parse(JSON.stringify(values))).toEqual(values);
    const again = new FFI();
    again.cdefHeader('math.h');
    const remembered = again.dlopen(null);
    expect([remembered.HUGE_VAL, Number.isNaN(remembered.NAN)]).toEqual([Infinity, true]);
    expect(again.typescriptDeclarations()).toMatch(/\/\*\* Infinity: a macro of the header \*\/ readonly HUGE_VAL: number;/);
    expect(ffi.skipped().filter((s) => names.includes(s.name) || s.name === 'NAN')).toEqual([]);
    // A long double beyond a double's range is left out with that reason, not made Infinity or 0.
    // (gcc's float.h and clang's spell it with 36 and 21 digits.)
    expect(ffi.skipped().find((s) => s.name === 'LDBL_MAX')?.reason).toMatch(/^its value, 1\.18973149535723176502\d*e\+4932L, is beyond the range of a double/);
  });
});

withHeader('sys/stat.h', 'libc6-dev', (it) => {
  // signal.h's sa_handler is __sigaction_handler.sa_handler, siginfo_t's si_pid _sifields._kill.si_pid,
  // sys/stat.h's st_mtime st_mtim.tv_sec: macros C code uses as members, aliases here.
  it("members named by the header's macros (sa_handler, si_pid, st_mtime) are read, written, initialised and offset as C's code has them", () => {
    const ffi = new FFI();
    for (const h of ['signal.h', 'sys/stat.h']) ffi.cdefHeader(h);
    ffi.cdef('size_t c_offset(int which); long c_mtime(const char *path);');
    const c = ffi.verify(
      '#include <signal.h>\n#include <stddef.h>\n#include <sys/stat.h>\n' +
        'size_t c_offset(int which) { return which == 0 ? offsetof(struct sigaction, sa_handler) : which == 1 ? offsetof(siginfo_t, si_pid) : offsetof(struct stat, st_mtime); }\n' +
        'long c_mtime(const char *path) { struct stat st; return stat(path, &st) == 0 ? (long)st.st_mtime : -1; }\n',
    );
    expect([ffi.offsetof('struct sigaction', 'sa_handler'), ffi.offsetof('siginfo_t', 'si_pid'), ffi.offsetof('struct stat', 'st_mtime')]).toEqual([0, 1, 2].map((w) => Number(c.c_offset(w))));
    // Written through the alias, given to C, read back through it from what C filled in.
    const act = ffi.new('struct sigaction *') as unknown as Record<string, unknown>;
    act.sa_handler = c.SIG_IGN;
    const old = ffi.new('struct sigaction *') as unknown as Record<string, unknown>;
    expect(c.sigaction(c.SIGUSR2, act, old)).toBe(0);
    const now = ffi.new('struct sigaction *', { sa_handler: c.SIG_DFL } as never) as unknown as Record<string, unknown>;
    const ignored = ffi.new('struct sigaction *') as unknown as Record<string, unknown>;
    expect(c.sigaction(c.SIGUSR2, old, ignored)).toBe(0);
    const address = (p: unknown) => ffi.cast('uintptr_t', p as never);
    expect([address(ignored.sa_handler), address(now.sa_handler)]).toEqual([address(c.SIG_IGN), address(c.SIG_DFL)]);
    expect(address(ffi.addressof(act as never, 'sa_handler'))).toBe(address(ffi.addressof(act as never, '__sigaction_handler', 'sa_handler')));
    const st = ffi.new('struct stat *') as unknown as Record<string, unknown>;
    expect(c.stat('/', st)).toBe(0);
    expect(st.st_mtime).toBe(c.c_mtime('/'));
    expect(() => st.st_nothing).toThrow("cdata 'struct stat *' has no field or method 'st_nothing'");
    expect(ffi.skipped().filter((s) => ['sa_handler', 'si_pid', 'st_mtime'].includes(s.name))).toEqual([]);
  });
});

withHeader('complex.h', 'libc6-dev', (it) => {
  it("complex.h's functions through dlopen() and verify(): complex numbers as { real, imag }, by value", () => {
    const ffi = new FFI();
    ffi.cdefHeader('complex.h');
    const libs = [ffi.dlopen('libm.so.6'), ffi.verify('#include <complex.h>\n', { libraries: ['m'] })];
    for (const m of libs) {
      expect(m.cabs({ real: 3, imag: 4 })).toBe(5);
      expect(m.csqrtf(-9)).toEqual({ real: 0, imag: 3 });
      expect(m.conj({ real: 1, imag: 2 })).toEqual({ real: 1, imag: -2 });
      expect(m.cproj({ real: Infinity, imag: -1 })).toEqual({ real: Infinity, imag: -0 });
    }
    // The imaginary unit, a float _Complex (GCC's `1.0iF`): a new value at each read, which the functions take.
    for (const m of libs) {
      expect([m.I, m._Complex_I]).toEqual([{ real: 0, imag: 1 }, { real: 0, imag: 1 }]);
      expect(m.I).not.toBe(m.I);
      expect([m.cimag(m.I), m.creal(m.I), m.cabsf(m._Complex_I)]).toEqual([1, 0, 1]);
    }
    expect(ffi.typescriptDeclarations()).toContain('/** 0+1i: a macro of the header */ readonly I: Complex;');
    // Left out, each with its reason: long double's and GCC's _FloatN complex types.
    const why = (name: string) => ffi.skipped().find((s) => s.name === name)?.reason;
    expect(why('cabsl')).toMatch(/^'long double _Complex' is not supported/);
    expect(why('cabsf32')).toBe("it uses '_Float32', a GCC type cdef has no equivalent for");
    expect([why('I'), why('_Complex_I')]).toEqual([undefined, undefined]);
  });
});

withHeader('signal.h', 'libc6-dev', (it) => {
  // sigqueue() takes union sigval by value: CFFI's ABI mode refuses it (libffi has no unions); koffi passes it as C does.
  it('sigqueue() through dlopen(), its union sigval passed by value, and through verify()', () => {
    const ffi = new FFI();
    for (const h of ['signal.h', 'unistd.h', 'errno.h']) ffi.cdefHeader(h);
    for (const c of [ffi.dlopen(null), ffi.verify('#include <signal.h>\n#include <unistd.h>\n#include <errno.h>\n')]) {
      // Signal 0 is delivered to nobody: the call checks that the process exists and may be signalled.
      expect(c.sigqueue(c.getpid(), 0, { sival_int: 7 })).toBe(0);
      const value = ffi.new('union sigval *', { sival_ptr: ffi.cast('void *', 0x1234) });
      expect(c.sigqueue(c.getpid(), 0, value[0])).toBe(0);
      expect(c.sigqueue(-1 >>> 1, 0, value[0])).toBe(-1);
      expect(ffi.errno).toBe(c.ESRCH);
    }
    expect(ffi.skipped().filter((s) => s.name === 'sigqueue')).toEqual([]);
  });
});

withHeader('signal.h', 'libc6-dev', (it) => {
  it('a struct a later cdef declares, or verify() lays out, holding an aliased path gets the alias too', () => {
    const ffi = new FFI();
    ffi.cdefHeader('signal.h');
    ffi.cdef('struct later { int n; union { void (*sa_handler)(int); long other; } __sigaction_handler; };');
    const later = ffi.new('struct later *') as unknown as Record<string, unknown>;
    later.sa_handler = ffi.cast('void(*)(int)', 8);
    expect(ffi.cast('uintptr_t', (later.__sigaction_handler as Record<string, never>).sa_handler)).toBe(8);
    // sys/stat.h's st_mtime is st_mtim.tv_sec: a struct whose layout verify() gives has it once laid out.
    const st = new FFI();
    st.cdefHeader('sys/stat.h');
    st.cdef('struct settled { struct timespec st_mtim; ...; };');
    expect(() => st.offsetof('struct settled', 'st_mtime')).toThrow(); // no layout before verify()
    st.verify('#include <sys/stat.h>\nstruct settled { long pad; struct timespec st_mtim; };\n');
    expect(st.offsetof('struct settled', 'st_mtime')).toBe(8);
  });
});

withHeader('dirent.h', 'libc6-dev', (it) => {
  // dirent.h's d_fileno is d_ino, utmp.h's ut_name ut_user, sys/msg.h's msg_cbytes __msg_cbytes: a member by another name.
  it('macros naming a member by its name alone are aliases of the structs that have it, at the offsets C gives', () => {
    const ffi = new FFI();
    for (const h of ['dirent.h', 'utmp.h', 'sys/msg.h', 'sched.h']) ffi.cdefHeader(h);
    ffi.cdef('size_t c_offset(int which);');
    const c = ffi.verify(
      '#include <dirent.h>\n#include <utmp.h>\n#include <sys/msg.h>\n#include <sched.h>\n#include <stddef.h>\n' +
        'size_t c_offset(int w) { return w == 0 ? offsetof(struct dirent, d_fileno) : w == 1 ? offsetof(struct utmp, ut_name) : offsetof(struct msqid_ds, msg_cbytes); }\n',
    );
    expect([ffi.offsetof('struct dirent', 'd_fileno'), ffi.offsetof('struct utmp', 'ut_name'), ffi.offsetof('struct msqid_ds', 'msg_cbytes')]).toEqual([0, 1, 2].map((w) => Number(c.c_offset(w))));
    const d = ffi.new('struct dirent *') as unknown as Record<string, unknown>;
    d.d_fileno = 77;
    expect(d.d_ino).toBe(77);
    // sched.h's `#define sched_priority sched_priority` only marks the member: nothing is left out for it.
    expect(ffi.skipped().filter((s) => ['d_fileno', 'ut_name', 'msg_cbytes', 'sched_priority'].includes(s.name))).toEqual([]);
  });
});

withHeader('sys/socket.h', 'libc6-dev', (it) => {
  // With _GNU_SOURCE, bind()'s address is __CONST_SOCKADDR_ARG, a transparent union of pointers,
  // which C passes as its first member: a pointer, which koffi can pass.
  it('bind() and getsockname() through dlopen() and verify(): a transparent union is passed as its first member', () => {
    const ffi = new FFI();
    for (const h of ['sys/socket.h', 'sys/un.h', 'unistd.h']) ffi.cdefHeader(h);
    expect(ffi.typeof('__CONST_SOCKADDR_ARG').kind).toBe('pointer');
    const libs = [ffi.dlopen(null), ffi.verify('#include <sys/socket.h>\n#include <sys/un.h>\n#include <unistd.h>\n')];
    libs.forEach((c, k) => {
      const s = c.socket(c.AF_UNIX, c.SOCK_STREAM, 0);
      expect(s).toBeGreaterThanOrEqual(0);
      const name = `\0node-cffi-${process.pid}-${k}`; // an abstract socket: no file
      const addr = ffi.new('struct sockaddr_un *', { sun_family: c.AF_UNIX });
      ffi.memmove(addr.sun_path, Buffer.from(name), name.length);
      const size = ffi.offsetof('struct sockaddr_un', 'sun_path') + name.length;
      expect(c.bind(s, ffi.cast('struct sockaddr *', addr), size)).toBe(0);
      const got = ffi.new('struct sockaddr_un *');
      const len = ffi.new('socklen_t *', ffi.sizeof('struct sockaddr_un'));
      expect(c.getsockname(s, ffi.cast('struct sockaddr *', got), len)).toBe(0);
      expect(len[0]).toBe(size);
      expect(ffi.buffer(got.sun_path, name.length).toString('latin1')).toBe(name);
      expect(c.close(s)).toBe(0);
    });
  });
});

withHeader('math.h', 'libc6-dev', (it) => {
  it("long double functions: verify() calls them through wrappers, dlopen() refuses them with the reason", () => {
    const ffi = new FFI();
    ffi.cdefHeader('math.h', { headers: ['bits/mathcalls.h'], only: /^(sqrtl|ldexpl|sqrt)$/ });
    const m = ffi.verify('#include <math.h>', { libraries: ['m'] });
    expect(m.sqrtl(2)).toBeCloseTo(Math.SQRT2, 15);
    expect(m.ldexpl(3, 4)).toBe(48);
    expect(ffi.skipped().filter((s) => s.mode === 'dlopen').map((s) => s.name).sort()).toEqual(['ldexpl', 'sqrtl']);
    const libm = ffi.dlopen('libm.so.6');
    expect(libm.sqrt(16)).toBe(4);
    expect(() => libm.sqrtl).toThrow(/'sqrtl' is not in libraries from dlopen\(\) \(.*math.*\): it passes a 'long double', which koffi cannot; only verify\(\) calls it/);
  });
});

withHeader('regex.h', 'libc6-dev', (it) => {
  // glibc declares regexec's matches 'regmatch_t __pmatch[__restrict_arr]', spawn.h posix_spawn's
  // 'char *const __argv[__restrict_arr]', aio.h lio_listio's list likewise: C99 array parameters.
  it('regcomp and regexec: a parameter declared as an array with qualifiers is a pointer', () => {
    const ffi = new FFI();
    ffi.cdefHeader('regex.h');
    const c = ffi.verify('#include <regex.h>');
    const re = ffi.new('regex_t *');
    expect(c.regcomp(re, 'n(o+)de-([a-z]+)', c.REG_EXTENDED)).toBe(0);
    const m = ffi.new('regmatch_t[3]');
    expect(c.regexec(re, 'a node-cffi test', 3, m, 0)).toBe(0);
    expect([0, 1, 2].map((i) => [Number(m[i].rm_so), Number(m[i].rm_eo)])).toEqual([[2, 11], [3, 4], [7, 11]]);
    expect(c.regexec(re, 'no match', 0, ffi.NULL, 0)).toBe(c.REG_NOMATCH);
    c.regfree(re);
    for (const h of ['spawn.h', 'aio.h', 'netdb.h']) ffi.cdefHeader(h);
    const left = ffi.skipped().map((s) => s.name);
    for (const name of ['regexec', 'posix_spawn', 'posix_spawnp', 'lio_listio', 'getaddrinfo_a']) expect(left).not.toContain(name);
  });
});

withHeader('sys/resource.h', 'libc6-dev', (it) => {
  // RLIM_INFINITY is ((__rlim_t) -1): the cast makes it 2^64 - 1, past a double's integers.
  it("RLIM_INFINITY, an integer cast past a double's integers, is C's value as a bigint, through dlopen() and verify()", () => {
    const ffi = new FFI();
    ffi.cdefHeader('sys/resource.h');
    ffi.cdef('unsigned long long c_rlim_infinity(void);');
    const c = ffi.verify('#include <sys/resource.h>\nunsigned long long c_rlim_infinity(void) { return RLIM_INFINITY; }\n');
    const libc = ffi.dlopen(null);
    expect(c.c_rlim_infinity()).toBe(2n ** 64n - 1n);
    expect([c.RLIM_INFINITY, libc.RLIM_INFINITY, libc.RLIM_SAVED_MAX]).toEqual([c.c_rlim_infinity(), c.c_rlim_infinity(), c.c_rlim_infinity()]);
    expect(ffi.skipped().filter((s) => s.name.startsWith('RLIM'))).toEqual([]);
    const limit = ffi.new('struct rlimit *');
    expect(c.getrlimit(c.RLIMIT_NOFILE, limit)).toBe(0);
  });
});

withHeader('linux/time.h', 'linux-libc-dev', (it) => {
  // dlopen()'s probe library compiles the header as cdefHeader() read it: alone. verify() compiles
  // the user's source after CFFI's standard headers, which glibc's struct timeval comes with.
  it("dlopen() probes a header as cdefHeader() read it, alone; verify() names the standard header a conflict comes from", () => {
    const ffi = new FFI();
    ffi.cdefHeader('linux/time.h');
    ffi.dlopen(null);
    expect(ffi.sizeof('struct timeval')).toBe(16);
    // linux/stat.h defines S_IFMT only where glibc is not: read alone, it does, and the probes agree.
    const st = new FFI();
    st.cdefHeader('linux/stat.h');
    expect(st.dlopen(null).S_IFMT).toBe(0o170000);
    let message = '';
    try {
      ffi.verify('#include <linux/time.h>');
    } catch (e) {
      message = (e as Error).message;
    }
    // gcc's words: "redefinition of 'struct timeval'" (its quotes are the locale's); clang's: "redefinition of 'timeval'".
    expect(message).toMatch(/redefinition of .(struct )?timeval./);
    // gcc says where the first definition was included from, named as the standard header verify()
    // includes; clang's note gives the definition's file alone.
    if (!/\(clang exited/.test(message)) expect(message).toMatch(/from <sys\/types\.h>, which verify\(\) includes before source\.c \(as CFFI does\):/);
  });
});
