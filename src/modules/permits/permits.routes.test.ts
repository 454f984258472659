import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../../test/helpers.ts';
import { ClassifyResult } from '../../contracts/permits.ts';

let t: Awaited<ReturnType<typeof buildTestApp>>;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t?.close());

const classify = (payload: unknown, headers: Record<string, string> = {}) => t.app.inject({ method: 'POST', url: '/api/permits/classify', payload: payload as object, headers });

describe('POST /api/permits/classify', () => {
  it('places a unit, says why, and flags a lower declared category', async () => {
    const res = await classify({
      industryCodes: ['4620'],
      features: ['urban_rural_sewage_central_treatment'],
      quantities: { treatment_capacity: { unit: 't/d', value: 25000 } },
      declared: 'simplified',
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(ClassifyResult.parse(body)).toStrictEqual(body);
    expect(body).toMatchObject({ category: 'key', determined: true, finding: { code: 'CATEGORY_DOWNGRADE' } });
    expect(body.parts[0].cell.text).toContain('2万吨及以上');
  });

  it('answers with the facts still missing', async () => {
    const res = await classify({ industryCodes: ['2612', '4411'], generalProcesses: [109] });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ category: 'key', finding: null });
    expect(res.json().missing.join()).toContain('重点排污单位名录');
  });

  it.each([
    [{ industryCodes: ['26'] }, 'industryCodes'],
    [{ industryCodes: [] }, 'industryCodes'],
    [{ industryCodes: ['4620'], quantities: { treatment_capacity: { unit: 't/d', value: -5 } } }, 'quantities'],
    [{ industryCodes: ['4620'], quantities: { treatment_capacity: { unit: 't/d' } } }, 'quantities'],
    [{ industryCodes: ['4620'], generalProcesses: [113] }, 'generalProcesses'],
    [{ industryCodes: ['4620'], surprise: true }, 'surprise'],
    [{ industryCodes: ['4620'], declared: 'medium' }, 'declared'],
  ])('refuses %j with problem+json naming %s', async (payload, field) => {
    const res = await classify(payload, { 'accept-language': 'zh-CN' });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body).toContain(field);
    expect(res.body).not.toMatch(/at .*\.ts:\d+/);
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ url: '/api/openapi.json' })).json();
    expect(doc.paths['/api/permits/classify'].post).toBeDefined();
  });
});
