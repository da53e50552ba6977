// Member aliases: names a header's macros give members of members, resolved to fields at their offsets.
import { addAliases, leadsToMember, memberOf } from '../../lib/ctype/aliases';
import { StructType } from '../../lib/ctype/model';
import { Registry } from '../../lib/ctype/registry';
import { parseCdef } from '../../lib/cparser/parser';

function structs(): { outer: StructType; other: StructType } {
  const r = new Registry();
  parseCdef('struct outer { int a; union { struct { short x, y; } p; long l; } u; unsigned bits : 3; }; struct other { int u; };', r);
  return { outer: r.tag('struct', 'outer') as StructType, other: r.tag('struct', 'other') as StructType };
}

test('an alias is given where its path leads to a member and no field has its name; it is that member, at its offset', () => {
  const { outer, other } = structs();
  const given = addAliases([outer, other], { uy: ['u', 'p', 'y'], ul: ['u', 'l'], a: ['u', 'l'], gone: ['u', 'q'], deep: ['bits', 'x'], one: ['a'] });
  // `one` names a member by its name alone (dirent.h's d_fileno is d_ino): an alias too. `other`'s u is no struct.
  expect(given).toBe(3);
  expect([...(outer.aliases?.keys() ?? [])]).toEqual(['uy', 'ul', 'one']);
  expect(other.aliases).toBeNull();
  expect(memberOf(outer, 'one')).toMatchObject({ name: 'one', offset: 0, type: outer.fieldMap.get('a')!.type, flags: 1 });
  expect(memberOf(outer, 'uy')).toMatchObject({ name: 'uy', offset: 8 + 2, bitsize: -1, flags: 1 });
  const p = (outer.fieldMap.get('u')!.type as StructType).fieldMap.get('p')!.type as StructType;
  expect(memberOf(outer, 'uy')?.type).toBe(p.fieldMap.get('y')!.type);
  expect(memberOf(outer, 'a')).toBe(outer.fieldMap.get('a'));
  expect(memberOf(outer, 'gone')).toBeUndefined();
  expect([leadsToMember([other, outer], ['u', 'p', 'x']), leadsToMember([other], ['u', 'p', 'x'])]).toEqual([true, false]);
});
