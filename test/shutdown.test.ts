import { describe, expect, it } from 'vitest';
import { buildTestApp } from './helpers.ts';

describe('graceful shutdown', () => {
  it('finishes in-flight requests and refuses new ones while closing', async () => {
    const t = await buildTestApp();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    t.app.get('/api/test/slow', async () => {
      await gate;
      return { done: true };
    });
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const inFlight = fetch(`${address}/api/test/slow`).then(async (r) => ({ status: r.status, body: await r.json() }));
    await new Promise((r) => setTimeout(r, 100)); // the request has reached the handler
    const closing = t.app.close();
    setTimeout(release, 200);
    const res = await inFlight;
    expect(res).toEqual({ status: 200, body: { done: true } });
    await closing;
    await expect(fetch(`${address}/api/health`)).rejects.toThrow();
    await t.database.close();
  });
});
