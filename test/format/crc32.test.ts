import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { crc32 } from '../../format/crc32.js';

describe('crc32 (slicing by 8)', () => {
  it('equals node:zlib crc32 for every length around the 8-byte steps and at random offsets', () => {
    const pool = randomBytes(70_000);
    for (const len of [0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1000, 65_537]) {
      for (const off of [0, 1, 3, 5]) {
        const b = pool.subarray(off, off + len);
        expect(crc32(b), `length ${len} at ${off}`).toBe(zlibCrc32(b));
      }
    }
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});
