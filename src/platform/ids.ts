import { randomBytes } from 'node:crypto';

let lastMs = 0;
let counter = 0;
// randomBytes per id is a syscall-sized cost; draw from a pool instead.
let pool = Buffer.alloc(0);
let poolOffset = 0;
function random10(): Buffer {
  if (poolOffset + 10 > pool.length) {
    pool = randomBytes(10 * 4096);
    poolOffset = 0;
  }
  const out = pool.subarray(poolOffset, poolOffset + 10);
  poolOffset += 10;
  return out;
}

/**
 * UUID version 7 (RFC 9562): a millisecond timestamp, then random bits. Ids made close in time
 * sort close together, so bulk inserts append to the right edge of primary-key indexes instead
 * of touching random pages (a large part of import cost with random v4 ids). A 12-bit counter
 * keeps ids from one process increasing within a millisecond.
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
  const b = Buffer.alloc(16);
  random10().copy(b, 6);
  const ms = lastMs;
  b[0] = Math.floor(ms / 2 ** 40) & 0xff;
  b[1] = Math.floor(ms / 2 ** 32) & 0xff;
  b[2] = (ms >>> 24) & 0xff;
  b[3] = (ms >>> 16) & 0xff;
  b[4] = (ms >>> 8) & 0xff;
  b[5] = ms & 0xff;
  b[6] = 0x70 | ((counter >>> 8) & 0x0f);
  b[7] = counter & 0xff;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
