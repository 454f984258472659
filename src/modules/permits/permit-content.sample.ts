import type { PermitContent } from '../../contracts/permits.ts';

/**
 * A realistic permit content: a coal-fired boiler house (GB 13271-2014 limits at 9 % reference
 * O2) with a wastewater outlet (GB 8978-1996). For tests, the browser flows and the demo.
 */
export function samplePermitContent(over: Partial<PermitContent> = {}): PermitContent {
  return {
    managementCategory: 'key',
    validFrom: '2026-03-01',
    validTo: '2031-02-28',
    productionFacilities: [{ code: 'MF0001', name: '燃煤蒸汽锅炉', capacity: { value: 35, unit: 't/h' } }],
    controlFacilities: [
      { code: 'TA001', name: '布袋除尘器', process: '袋式除尘' },
      { code: 'TA002', name: '石灰石-石膏湿法脱硫' },
    ],
    outlets: [
      {
        code: 'DA001',
        name: '锅炉烟囱',
        kind: 'main',
        longitude: 120.13,
        latitude: 30.27,
        heightM: 45,
        pollutants: [
          { pollutantCode: 'a34013', standard: 'GB 13271-2014', limit: { direction: 'max', value: 50, unit: 'mg/m3' }, referenceO2: 9 },
          { pollutantCode: 'a21026', standard: 'GB 13271-2014', limit: { direction: 'max', value: 300, unit: 'mg/m3' }, referenceO2: 9 },
          { pollutantCode: 'a21002', standard: 'GB 13271-2014', limit: { direction: 'max', value: 300, unit: 'mg/m3' }, referenceO2: 9 },
          { pollutantCode: 'a00000', standard: 'GB 13271-2014' },
        ],
      },
      {
        code: 'DW001',
        name: '厂区废水总排口',
        kind: 'general',
        longitude: 120.131,
        latitude: 30.271,
        receivingWater: '市政污水管网',
        pollutants: [
          { pollutantCode: 'w01018', standard: 'GB 8978-1996', limit: { direction: 'max', value: 500, unit: 'mg/L' } },
          { pollutantCode: 'w01001', standard: 'GB 8978-1996', limit: { direction: 'range', low: 6, high: 9, unit: 'pH' } },
        ],
      },
    ],
    permittedQuantities: [
      { factor: 'SO2', year: 2026, amount: 52.5, unit: 't/a', outletCode: 'DA001' },
      { factor: 'NOx', year: 2026, amount: 52.5, unit: 't/a', outletCode: 'DA001' },
      { factor: 'particulate', year: 2026, amount: 8.8, unit: 't/a', outletCode: 'DA001' },
    ],
    selfMonitoring: [
      { outletCode: 'DA001', pollutantCode: 'a21026', frequency: '自动监测', mode: 'automatic', method: 'HJ 75-2017' },
      { outletCode: 'DW001', pollutantCode: 'w01018', frequency: '1次/季度', mode: 'manual' },
    ],
    reports: [{ type: 'annual' }, { type: 'quarterly' }],
    rectifications: [{ requirement: '2026年12月31日前完成排放口规范化整治', deadline: '2026-12-31' }],
    specialConditions: ['重污染天气应急期间执行应急减排措施'],
    ...over,
  };
}
