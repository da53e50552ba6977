// The x86 CPU features a header compiles its functions for (`target("avx2")`), and whether a build turns them on, by the macros the compiler predefines.

/**
 * The feature names gcc 12's and clang 14's x86 intrinsics headers name in `#pragma GCC
 * target(…)` and `__attribute__((target(…)))`, each checked against the macro `-m<name>` makes the
 * compiler predefine (`gcc -m<name> -dM -E - </dev/null` against the baseline, and -m32
 * -march=i386 for those x86-64 always has: mmx, sse, sse2, fxsr). The macro is the name in
 * capitals, '.' and '-' as '_' (sse4.1: __SSE4_1__, avx512vl: __AVX512VL__), but for the
 * exceptions below. A name outside this list (a newer header's) has no established macro: it never
 * keeps a function out.
 */
const CHECKED = new Set(
  ('adx aes amx-bf16 amx-int8 amx-tile avx avx2 avx5124fmaps avx5124vnniw avx512bf16 avx512bitalg avx512bw avx512cd ' +
    'avx512dq avx512er avx512f avx512fp16 avx512ifma avx512pf avx512vbmi avx512vbmi2 avx512vl avx512vnni avx512vp2intersect ' +
    'avx512vpopcntdq avxvnni bmi bmi2 cldemote clflushopt clwb clzero crc32 enqcmd f16c fma fma4 fsgsbase fxsr gfni hreset ' +
    'invpcid kl lwp lzcnt mmx movbe movdir64b movdiri mwait mwaitx pclmul pconfig pku popcnt ptwrite rdpid rdrnd rdseed rtm ' +
    'serialize sgx sha shstk sse sse2 sse3 sse4.1 sse4.2 sse4a ssse3 tbm tsxldtrk uintr vaes vpclmulqdq waitpkg wbnoinvd ' +
    'widekl xop xsave xsavec xsaveopt xsaves 3dnow 3dnowa').split(' '),
);

/**
 * Where the rule does not give the macro: 3dNOW keeps its lower-case 'd'; clang spells the AMX
 * macros without the '_' gcc puts for the '-' (either one says the feature is on). gcc 12's
 * -mmwait predefines no macro, but its mwaitintrin.h guards its `target("mwait")` region with
 * `#ifndef __MWAIT__`, which the rule gives: the region is there whenever that macro is not, so
 * _mm_monitor is left out even with -mmwait (no option can bind it; none could compile its wrapper
 * without -mmwait). clang's wasm `simd128` has no x86 macro and is left out of CHECKED.
 */
const EXCEPTIONS: Readonly<Record<string, readonly string[]>> = {
  '3dnow': ['__3dNOW__'],
  '3dnowa': ['__3dNOW_A__'],
  'amx-bf16': ['__AMX_BF16__', '__AMXBF16__'],
  'amx-int8': ['__AMX_INT8__', '__AMXINT8__'],
  'amx-tile': ['__AMX_TILE__', '__AMXTILE__'],
};

/** The macros of which one is predefined when the feature is on; null when none is established. */
export function featureMacros(feature: string): readonly string[] | null {
  if (!CHECKED.has(feature)) return null;
  return EXCEPTIONS[feature] ?? [`__${feature.toUpperCase().replace(/[.-]/g, '_')}__`];
}

/**
 * The features a target string requires ('avx512vl,avx512bw': both): not those that say what not
 * to use ('general-regs-only', 'no-sse') nor which CPU to tune or build for ('arch=…', 'tune=…',
 * 'fpmath=…').
 */
export function requiredFeatures(target: string): string[] {
  return target
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '' && f !== 'general-regs-only' && !f.startsWith('no-') && !/^(?:arch|tune|fpmath)=/.test(f));
}

/**
 * Of the features `required`, those a unit whose predefined macros `defined` tells has not turned
 * on: only on x86 (where the names above are x86's), and only features with an established macro.
 */
export function missingFeatures(required: readonly string[], defined: (macro: string) => boolean): string[] {
  if (!defined('__x86_64__') && !defined('__i386__')) return [];
  return [...new Set(required)].filter((f) => {
    const macros = featureMacros(f);
    return macros !== null && !macros.some(defined);
  });
}

/** Why a function compiled for the features `missing` (by `how`) is left out, and the options that bind it. */
export function featureProblem(missing: readonly string[], how: 'attribute' | 'pragma'): string {
  const names = missing.map((f) => `'${f}'`);
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  const source = how === 'attribute' ? "its header's target attribute" : "its header's #pragma GCC target";
  const args = missing.map((f) => `'-m${f}'`).join(', ');
  return (
    `it is compiled for the CPU feature${missing.length > 1 ? 's' : ''} ${list} (${source}), which this build does not turn on; ` +
    `pass extraCompileArgs: [${args}] (or '-march=native') to cdefHeader() and verify() (or to cc())`
  );
}
