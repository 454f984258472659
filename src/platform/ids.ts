import { randomBytes } from 'node:crypto';

let lastMs = 0;
let counter = 0;
// randomBytes per id is a syscall-sized cost; draw from a pool instead (10 bytes an id).
let pool = Buffer.alloc(0);
let poolOffset = 0;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * UUID version 7 (RFC 9562): a millisecond timestamp, then random bits. Ids made close in time
 * sort close together, so bulk inserts append to the right edge of primary-key indexes instead
 * of touching random pages (a large part of import cost with random v4 ids). A 12-bit counter
 * keeps ids from one process increasing within a millisecond. Written byte by byte from a hex
 * table (a sweep makes millions: a buffer and its hex string an id cost more than the rest).
 */
export function uuidv7(now = Date.now()): string {
  if (now <= lastMs) {
    counter++;
    if (counter > 0xfff) {
      lastMs++;
      counter = 0;
    }
  } else {
    lastMs = now;
    counter = 0;
  }
  if (poolOffset + 10 > pool.length) {
    pool = randomBytes(10 * 4096);
    poolOffset = 0;
  }
  const r = pool;
  const o = poolOffset;
  poolOffset += 10;
  const ms = lastMs;
  const high = Math.floor(ms / 2 ** 32);
  return (
    HEX[(high >>> 8) & 0xff] + HEX[high & 0xff] + HEX[(ms >>> 24) & 0xff] + HEX[(ms >>> 16) & 0xff] + '-' +
    HEX[(ms >>> 8) & 0xff] + HEX[ms & 0xff] + '-' +
    HEX[0x70 | ((counter >>> 8) & 0x0f)] + HEX[counter & 0xff] + '-' +
    // bytes 0-1 of the draw are where the version and counter go (as before: the same bits are random)
    HEX[(r[o + 2] & 0x3f) | 0x80] + HEX[r[o + 3]] + '-' +
    HEX[r[o + 4]] + HEX[r[o + 5]] + HEX[r[o + 6]] + HEX[r[o + 7]] + HEX[r[o + 8]] + HEX[r[o + 9]]
  );
}
