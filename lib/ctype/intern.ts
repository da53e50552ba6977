// Derived C types interned on their parts: pointers, arrays and function types, each held by a type it is made from, so that identity means equality and types die with their FFI.
import { ArrayType, CType, FunctionMemo, FunctionType, PointerType } from './model';

export function pointerTo(item: CType, quals = 0): PointerType {
  const held = quals === 0 ? item._ptr : item._ptrs?.[quals];
  let t = held instanceof WeakRef ? held.deref() : held;
  if (!t) {
    t = new PointerType(item, quals);
    const kept = item._depth === 0 ? t : new WeakRef(t);
    if (quals === 0) item._ptr = kept;
    else (item._ptrs ??= [])[quals] = kept;
  }
  return t;
}

/** Drops an array type's memo entry once the type is collected (unless a newer type took the key). */
const arrayMemoSweeper = new FinalizationRegistry<{ memo: Map<number, ArrayType | WeakRef<ArrayType>>; key: number }>(({ memo, key }) => {
  const held = memo.get(key);
  if (held instanceof WeakRef && held.deref() === undefined) memo.delete(key);
});

export function arrayOf(item: CType, length: number | null): ArrayType {
  const memo = (item._arrays ??= new Map());
  const key = length ?? -1;
  const held = memo.get(key);
  let t = held instanceof WeakRef ? held.deref() : held;
  if (!t) {
    t = new ArrayType(item, length);
    if (length === null && item._depth === 0) memo.set(key, t);
    else {
      memo.set(key, new WeakRef(t));
      arrayMemoSweeper.register(t, { memo, key });
    }
  }
  return t;
}

/** Drops a function type's memo entry once the type is collected (unless a newer type took the key). */
const functionMemoSweeper = new FinalizationRegistry<{ memo: FunctionMemo; key: string }>(({ memo, key }) => {
  const held = memo.get(key);
  if (held instanceof WeakRef && held.deref() === undefined) memo.delete(key);
});

/** Whether `t` lives as long as the process: a built-in type, void, or their pointers (held strongly by them). */
function lastsForever(t: CType): boolean {
  if (t.kind === 'void') return true;
  if (t.kind === 'primitive') return t.deferred === null;
  return t.kind === 'pointer' && t.item._depth === 0 && (t.item.kind === 'void' || (t.item.kind === 'primitive' && t.item.deferred === null));
}

/**
 * Function types by their parts, kept on the newest part (the greatest id: a struct of the FFI
 * that declared the function rather than a built-in type every FFI shares), keyed by the ids of the
 * result and the parameters (ids are never reused, so a key names those very types). Held strongly
 * where the other parts live forever anyway (built-in types and their pointers), so that the type
 * lives as long as its newest part; otherwise weakly, so that one part does not keep another's
 * FFI alive. An owner's one strongly held function type is kept without a table. (A trie of
 * WeakMaps rooted at the result type put every FFI's function types into the few tables of `int`
 * and `void`, which every collection then walked.)
 */
export function functionType(args: readonly CType[], result: CType, ellipsis: boolean): FunctionType {
  let owner = result;
  for (let i = 0; i < args.length; i++) if (args[i].id > owner.id) owner = args[i];
  const memo = owner._fns;
  // Most owners (a struct's pointer, say) hold one function type, strongly: that type, no table.
  if (memo instanceof FunctionType && hasParts(memo, args, result, ellipsis)) return memo;
  let key: string | undefined;
  if (memo instanceof Map) {
    key = partsKey(args, result, ellipsis);
    const held = memo.get(key);
    const found = held instanceof WeakRef ? held.deref() : held;
    if (found !== undefined) return found;
  }
  const t = new FunctionType(args, result, ellipsis);
  let strong = owner === result || lastsForever(result);
  for (let i = 0; strong && i < args.length; i++) strong = args[i] === owner || lastsForever(args[i]);
  if (strong && memo === undefined) {
    owner._fns = t;
    return t;
  }
  key ??= partsKey(args, result, ellipsis);
  let table: FunctionMemo;
  if (memo instanceof Map) table = memo;
  else {
    table = new Map();
    if (memo !== undefined) table.set(partsKey(memo.args, memo.result, memo.ellipsis), memo);
    owner._fns = table;
  }
  if (strong) table.set(key, t);
  else {
    table.set(key, new WeakRef(t));
    functionMemoSweeper.register(t, { memo: table, key });
  }
  return t;
}

/** A function type's key in its owner's table: the ids of its result and parameters. */
function partsKey(args: readonly CType[], result: CType, ellipsis: boolean): string {
  let key = String(result.id);
  for (let i = 0; i < args.length; i++) key += `,${args[i].id}`;
  return ellipsis ? `${key},...` : key;
}

function hasParts(t: FunctionType, args: readonly CType[], result: CType, ellipsis: boolean): boolean {
  if (t.result !== result || t.ellipsis !== ellipsis || t.args.length !== args.length) return false;
  for (let i = 0; i < args.length; i++) if (t.args[i] !== args[i]) return false;
  return true;
}
