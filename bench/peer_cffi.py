# Python CFFI's side of `npm run bench`: the same operations, timed the same way, printed as one JSON object.
import json
import os
import shutil
import sys
import tempfile
import time
import warnings

warnings.simplefilter("ignore")
import cffi  # noqa: E402

ROUNDS = 9
SOURCE = "int add(int a, int b) { return a + b; }\n"


def per_op(stmt, env, n):
    """Median ns per execution of `stmt` (a loop body), net of the loop itself."""
    body = "def run(n):\n" + "    for i in range(n):\n        " + stmt + "\n"
    empty = "def run(n):\n    for i in range(n):\n        pass\n"
    samples, loops = [], []
    for code, out in ((body, samples), (empty, loops)):
        scope = dict(env)
        exec(code, scope)
        run = scope["run"]
        run(n // 10)
        for _ in range(ROUNDS):
            t0 = time.perf_counter_ns()
            run(n)
            out.append((time.perf_counter_ns() - t0) / n)
    med = lambda xs: sorted(xs)[len(xs) // 2]
    return med(samples) - med(loops)


def c_loop_ns(drive):
    """Median ns per call of a Python function from a C loop (C calls Python and back): drive(n) runs n calls."""
    n = 200_000
    drive(n // 10)
    samples = []
    for _ in range(ROUNDS):
        t0 = time.perf_counter_ns()
        drive(n)
        samples.append((time.perf_counter_ns() - t0) / n)
    return sorted(samples)[len(samples) // 2]


def extern_python_ns(cache):
    """The loop of c_loop_ns calling an extern "Python" function, which needs an out-of-line module (set_source + compile)."""
    builder = cffi.FFI()
    builder.cdef('extern "Python" int ext_add(int a, int b); int drive_extern(int n);')
    name = "_bench_extern_%d" % os.getpid()
    builder.set_source(name, "static int ext_add(int a, int b);\n"
                       "int drive_extern(int n) { int s = 0; for (int i = 0; i < n; i++) s += ext_add(i, 1); return s; }\n",
                       extra_compile_args=["-O3"])
    builder.compile(tmpdir=cache, verbose=False)
    sys.path.insert(0, cache)
    module = __import__(name)

    @module.ffi.def_extern()
    def ext_add(a, b):
        return a + b

    return c_loop_ns(module.lib.drive_extern)


def verify_ms(cache, source):
    ffi = cffi.FFI()
    ffi.cdef("int add(int a, int b);")
    t0 = time.perf_counter_ns()
    lib = ffi.verify(source, tmpdir=cache, extra_compile_args=["-O3"])
    ms = (time.perf_counter_ns() - t0) / 1e6
    assert lib.add(2, 3) == 5
    return ms


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    out = {"version": cffi.__version__, "python": sys.version.split()[0]}
    cache = tempfile.mkdtemp(prefix="cffi-bench-")
    try:
        # Cold: a source never compiled before (a comment makes each one new), one cache directory.
        cold = [verify_ms(cache, SOURCE + "/* cold %d %d */\n" % (os.getpid(), i)) for i in range(runs)]
        warm_src = SOURCE + "/* warm %d */\n" % os.getpid()
        verify_ms(cache, warm_src)
        warm = [verify_ms(cache, warm_src) for _ in range(runs * 4)]
        out["verify_cold_ms"] = sorted(cold)[len(cold) // 2]
        out["verify_warm_ms"] = sorted(warm)[len(warm) // 2]

        ffi = cffi.FFI()
        ffi.cdef("int add(int a, int b); struct pt { int x; double y; }; double pt_len2(struct pt p);"
                 "int drive(int (*f)(int, int), int n);")
        lib = ffi.verify(warm_src + "struct pt { int x; double y; };\n"
                         "double pt_len2(struct pt p) { return p.x * p.x + p.y * p.y; }\n"
                         "int drive(int (*f)(int, int), int n) { int s = 0; for (int i = 0; i < n; i++) s += f(i, 1); return s; }\n",
                         tmpdir=cache, extra_compile_args=["-O3"])
        p = ffi.new("int[4]")
        s = ffi.new("struct pt *")
        chars = ffi.new("char[]", b"hello, world")
        cb = ffi.callback("int(int, int)", lambda a, b: a + b)
        env = {"ffi": ffi, "lib": lib, "p": p, "s": s, "chars": chars, "pt": s[0]}
        n = 1_000_000
        out["ops_ns"] = {
            "call add": per_op("lib.add(i & 1023, 1)", env, n),
            "new int[4]": per_op("ffi.new('int[4]')", env, n // 4),
            "p[i] read": per_op("p[i & 3]", env, n),
            "p[i] write": per_op("p[i & 3] = i & 1023", env, n),
            "s.x read": per_op("s.x", env, n),
            "s.y write": per_op("s.y = 1.5", env, n),
            "cast int *": per_op("ffi.cast('int *', p)", env, n // 4),
            "addressof s[0].y": per_op("ffi.addressof(s[0], 'y')", env, n // 10),
            "string char[]": per_op("ffi.string(chars)", env, n // 4),
            "struct by value": per_op("lib.pt_len2(pt)", env, n // 4),
            "callback round trip": c_loop_ns(lambda n: lib.drive(cb, n)),
            "extern \"Python\" round trip": extern_python_ns(cache),
        }
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    print(json.dumps(out))


main()
