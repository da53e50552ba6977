// The hashes of long cdef texts and sources, remembered per process for the unit's key: equal to their sha256, within their bounds.
import { createHash } from 'crypto';
import * as files from '../../lib/build/files';
import { textHash } from '../../lib/units';

afterEach(() => jest.restoreAllMocks());

const sha = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

describe('textHash', () => {
  test('is the sha256 of the text, for short and long texts and any characters', () => {
    for (const text of ['', 'int f(void);', 'é\u{1F600}'.repeat(600), 'x'.repeat(5000), `${'\ud800'}${'y'.repeat(2000)}`]) {
      expect(textHash(text)).toBe(sha(text));
    }
  });

  test('hashes a long text once while it is among the 64 most recently used, short ones every time', () => {
    const hashed = jest.spyOn(files, 'sha256');
    const long = (i: number): string => `/* ${i} */${'z'.repeat(2048)}`;
    textHash(long(0));
    textHash(long(0));
    expect(hashed).toHaveBeenCalledTimes(1);
    for (let i = 1; i <= 63; i++) textHash(long(i));
    textHash(long(0)); // still kept: 64 texts
    expect(hashed).toHaveBeenCalledTimes(64);
    textHash(long(64)); // the 65th: long(1), the least recently used, goes
    textHash(long(1));
    expect(hashed).toHaveBeenCalledTimes(66);
    hashed.mockClear();
    textHash('short text');
    textHash('short text');
    expect(hashed).toHaveBeenCalledTimes(2);
  });

  test('keeps at most 8 MiB of text, and never a longer text', () => {
    const hashed = jest.spyOn(files, 'sha256');
    const huge = `/* huge */${'h'.repeat(8 * 2 ** 20)}`;
    textHash(huge);
    textHash(huge);
    expect(hashed).toHaveBeenCalledTimes(2);
    const third = (i: number): string => `/* ${i} */${'t'.repeat(3 * 2 ** 20)}`; // 3 MiB each
    for (let i = 0; i < 3; i++) textHash(third(i)); // 9 MiB: the first goes
    hashed.mockClear();
    textHash(third(2));
    textHash(third(1));
    expect(hashed).toHaveBeenCalledTimes(0);
    textHash(third(0));
    expect(hashed).toHaveBeenCalledTimes(1);
  });
});
