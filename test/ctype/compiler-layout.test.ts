// Layouts the compiler gives: which structs completeStruct leaves to it, and how layOutFromCompiler places the reported offsets and lengths.
import { CDefError } from '../../lib/errors';
import { completeStruct, layOutFromCompiler, probedMembers } from '../../lib/ctype/layout';
import { ArrayType, EnumType, StructType, deferredPrimitive, pendingIn, pendingLayout, pendingReason, primitive, settlePrimitive } from '../../lib/ctype/model';
import { arrayOf, pointerTo } from '../../lib/ctype/intern';
import { member as m } from '../helpers/layoutprobe';
import { expectThrow } from '../helpers/throws';

const int = primitive('int');
const char = primitive('char');
const double = primitive('double');

function partial(name: string, members: Parameters<typeof completeStruct>[1]): StructType {
  const t = new StructType('struct', name);
  t.partial = true;
  completeStruct(t, members, 0);
  return t;
}

describe('which layouts wait for the compiler', () => {
  test('a partial struct keeps its members and stays incomplete', () => {
    const t = partial('p', [m('x', int)]);
    expect([t.complete, t.size, t.align, t.members?.length]).toEqual([false, -1, -1, 1]);
    expect(pendingLayout(t)).toBe(t);
  });

  test('holding a pending type by value, or an [...] array, defers; a pointer does not', () => {
    const inner = partial('inner', [m('x', int)]);
    const byValue = new StructType('struct', 'v');
    completeStruct(byValue, [m('a', char), m('in', arrayOf(inner, 2))], 0);
    expect(pendingLayout(byValue)).toBe(byValue);
    const withLength = new StructType('struct', 'l');
    completeStruct(withLength, [{ ...m('v', arrayOf(int, null)), lengthFromCompiler: true }], 0);
    expect(pendingLayout(withLength)).toBe(withLength);
    const byPointer = new StructType('struct', 'q');
    completeStruct(byPointer, [m('p', pointerTo(inner)), m('a', int)], 0);
    expect([byPointer.complete, byPointer.size]).toEqual([true, 16]);
  });

  test('pendingLayout looks through arrays; pendingIn also through pointers and signatures', () => {
    const t = partial('p2', [m('x', int)]);
    expect(pendingLayout(arrayOf(t, 3))).toBe(t);
    expect(pendingLayout(pointerTo(t))).toBeNull();
    expect(pendingIn(pointerTo(pointerTo(t)))).toBe(t);
    const n = deferredPrimitive('n_t', 'int');
    const e = new EnumType('e');
    Object.assign(e, { partial: true, settled: false });
    expect([pendingLayout(n), pendingLayout(e), e.size]).toEqual([n, e, -1]);
    expect(pendingReason(n)).toBe("the size of 'n_t' is not known until verify() compiles it (the cdef leaves it to the C compiler with '...')");
    expect(pendingReason(e)).toMatch(/^the values and size of 'enum e' are not known until verify\(\)/);
    settlePrimitive(n, 'u16', 2);
    expect([pendingLayout(n), n.size, n.align, n.repr, n.cname]).toEqual([null, 2, 2, 'u16', 'n_t']);
  });

  test('bit-fields are refused in a struct the compiler lays out', () => {
    expectThrow(() => partial('b', [m('x', int, 3)]), CDefError, "cdef:1:1: bit-field 'x' in 'struct b', whose layout comes from the C compiler: bit-fields are not supported there; declare the struct without '...' and with every member");
    expect(() => partial('b', [m('x', int, 3)])).toThrow(/bit-field 'x' in 'struct b', whose layout comes from the C compiler/);
  });
});

describe('layOutFromCompiler', () => {
  test('places members at the reported offsets, [...] members at the reported length, anonymous members around their first field', () => {
    const anon = new StructType('union', '$a');
    completeStruct(anon, [m('i', int), m('d', double)], 0);
    const t = new StructType('struct', 'r');
    t.partial = true;
    const w = { ...m('w', arrayOf(arrayOf(arrayOf(int, null), 2), null)), innerLengthsFromCompiler: [2] };
    completeStruct(t, [m('c', char), { ...m('v', arrayOf(int, null)), lengthFromCompiler: true }, m('', anon), w], 0);
    expect(probedMembers(t)).toEqual([
      { name: 'c', type: char, lengthFromCompiler: false, innerLengthsFromCompiler: [] },
      { name: 'v', type: arrayOf(int, null), lengthFromCompiler: true, innerLengthsFromCompiler: [] },
      { name: 'i', type: int, lengthFromCompiler: false, innerLengthsFromCompiler: [] },
      { name: 'w', type: w.type, lengthFromCompiler: false, innerLengthsFromCompiler: [2] },
    ]);
    const offsets: Record<string, number> = { c: 4, v: 8, i: 80, w: 96 };
    const inner = (n: string, depth: number) => (n === 'w' && depth === 2 ? 5 : NaN);
    layOutFromCompiler(t, { size: 96, align: 8, offset: (n) => offsets[n], length: () => 17, innerLength: inner });
    expect(t.complete).toBe(true);
    expect([t.size, t.align, pendingLayout(t)]).toEqual([96, 8, null]);
    expect(t.fields?.map((f) => `${f.name}:${f.type.cname}@${f.offset}`)).toEqual(['c:char@4', 'v:int[17]@8', 'i:int@80', 'd:double@80', 'w:int[][2][5]@96']);
    expect((t.fieldMap.get('v')?.type as ArrayType).length).toBe(17);
  });
});
