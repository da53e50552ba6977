// Test helper: what a call throws, asserted outside any catch block, by class and message fragment.

type ErrorClass = abstract new (...args: never[]) => Error;

/** What `f` throws; fails the test when it returns normally. */
export function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error(`expected ${f.toString()} to throw, but it returned`);
}

/** What `p` rejects with; fails the test when it resolves. */
export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/** The error `f` throws, checked to be a `cls` whose message contains (or matches) `fragment`. */
export function expectThrow<E extends Error>(f: () => unknown, cls: ErrorClass & (abstract new (...args: never[]) => E), fragment: string | RegExp): E {
  return expectError(thrown(f), cls, fragment);
}

/** The error `p` rejects with, checked as expectThrow checks. */
export async function expectReject<E extends Error>(p: Promise<unknown>, cls: ErrorClass & (abstract new (...args: never[]) => E), fragment: string | RegExp): Promise<E> {
  return expectError(await rejection(p), cls, fragment);
}

function expectError<E extends Error>(e: unknown, cls: abstract new (...args: never[]) => E, fragment: string | RegExp): E {
  expect(e).toBeInstanceOf(cls);
  const { message } = e as E;
  if (typeof fragment === 'string') expect(message).toContain(fragment);
  else expect(message).toMatch(fragment);
  return e as E;
}
