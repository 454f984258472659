/**
 * The permit's 副本 as a printable PDF: A4, the CJK font embedded (subset), the QR code of its
 * public page on the first page, the content's sha256 and version on every page. Contents in
 * the order of 条例 Art.13: the holder and validity, facilities, outlets and their limits,
 * permitted quantities, self-monitoring, execution reports, rectifications, other conditions.
 */
import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import type { PermitContent } from '../../contracts/permits.ts';
import { AppError } from '../../platform/errors.ts';

export interface PermitDocumentData {
  permitNumber: string;
  status: 'valid' | 'cancelled' | 'revoked' | 'penalty_revoked';
  versionNo: number;
  issuedOn: string;
  contentSha256: string;
  authority: string;
  unit: { name: string; creditCode: string; address: string; industry: string; regionName: string | null; legalRepresentative?: string | null };
  content: PermitContent;
  pollutantName: (code: string) => string;
  publicUrl: string;
}

export interface PdfFont {
  path: string;
  /** the PostScript name inside a TrueType collection (.ttc) */
  name?: string;
}

export class PdfFontMissingError extends AppError {
  constructor(path: string) {
    super('PDF_FONT_MISSING', 503, { zh: `未找到中文字体 ${path}：请安装 fonts-wqy-microhei，或以 PDF_FONT 指定字体文件`, en: `No CJK font at ${path}: install fonts-wqy-microhei or point PDF_FONT at a font file` }, { path });
  }
}

const CATEGORY = { key: '重点管理', simplified: '简化管理', registration: '登记管理' } as const;
const OUTLET_KIND = { main: '主要排放口', general: '一般排放口', special: '特殊排放口', workshop: '设备或车间排放口' } as const;
const REPORT = { annual: '年度执行报告', 'half-year': '半年执行报告', quarterly: '季度执行报告', monthly: '月度执行报告' } as const;
const FACTOR: Record<string, string> = { SO2: '二氧化硫', NOx: '氮氧化物', particulate: '颗粒物', VOCs: '挥发性有机物', COD: '化学需氧量', 'NH3-N': '氨氮', TN: '总氮', TP: '总磷', 'heavy-metals': '重金属' };
const STATUS = { valid: '有效', cancelled: '已注销', revoked: '已撤销', penalty_revoked: '已吊销' } as const;

function limitText(l: PermitContent['outlets'][number]['pollutants'][number]['limit']): string {
  if (!l) return '—';
  if (l.direction === 'max') return `≤ ${l.value} ${l.unit}`;
  if (l.direction === 'min') return `≥ ${l.value} ${l.unit}`;
  return `${l.low}～${l.high} ${l.unit}`;
}

const MARGIN = 50;

/** Render the 副本; rejects with PdfFontMissingError when the font file is not there. */
export async function renderPermitPdf(d: PermitDocumentData, font: PdfFont): Promise<Buffer> {
  if (!existsSync(font.path)) throw new PdfFontMissingError(font.path);
  const qr = await QRCode.toBuffer(d.publicUrl, { errorCorrectionLevel: 'M', margin: 1, width: 180 });
  const doc = new PDFDocument({ size: 'A4', margins: { top: MARGIN, bottom: MARGIN + 20, left: MARGIN, right: MARGIN }, bufferPages: true, info: { Title: `排污许可证（副本）${d.permitNumber}`, Author: d.authority, Subject: d.unit.name, Keywords: d.contentSha256 } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('cjk', font.path, font.name);
  doc.font('cjk');
  const width = doc.page.width - 2 * MARGIN;
  const bottom = () => doc.page.height - MARGIN - 20;

  // -- first page: title, holder, validity, QR ------------------------------------------------
  doc.fontSize(22).text('排污许可证（副本）', MARGIN, MARGIN + 10, { width, align: 'center' });
  doc.moveDown(0.3).fontSize(11).text(`证书编号：${d.permitNumber}`, { width, align: 'center' });
  if (d.status !== 'valid') doc.moveDown(0.2).fillColor('#b00').text(`状态：${STATUS[d.status]}`, { width, align: 'center' }).fillColor('black');
  const top = doc.y + 16;
  doc.image(qr, MARGIN + width - 110, top, { width: 110 });
  doc.fontSize(8).text('扫码查看公开信息', MARGIN + width - 110, top + 112, { width: 110, align: 'center' });
  const info: [string, string][] = [
    ['单位名称', d.unit.name],
    ['统一社会信用代码', d.unit.creditCode],
    ['生产经营场所地址', d.unit.address],
    ['行政区划', d.unit.regionName ?? ''],
    ['行业类别', d.unit.industry],
    ['管理类别', CATEGORY[d.content.managementCategory]],
    ['有效期限', `自 ${d.content.validFrom} 起至 ${d.content.validTo} 止`],
    ['发证机关', d.authority],
    ['发证日期', d.issuedOn],
  ];
  doc.fontSize(11);
  let y = top;
  for (const [k, v] of info) {
    doc.text(`${k}：`, MARGIN, y, { width: 110, continued: false });
    doc.text(v, MARGIN + 110, y, { width: width - 240 });
    y = Math.max(doc.y, y + 16) + 4;
  }
  doc.x = MARGIN;
  doc.y = Math.max(y, top + 130) + 8;

  const heading = (text: string) => {
    if (doc.y + 40 > bottom()) doc.addPage();
    doc.moveDown(0.6).fontSize(13).text(text, MARGIN, doc.y, { width }).moveDown(0.3).fontSize(9);
  };

  /** A table whose rows grow with their text and continue on the next page, header repeated. */
  const table = (headers: string[], widths: number[], rows: string[][]) => {
    const scale = width / widths.reduce((a, b) => a + b, 0);
    const w = widths.map((x) => x * scale);
    const pad = 3;
    const rowHeight = (cells: string[]) => Math.max(...cells.map((c, i) => doc.heightOfString(c || ' ', { width: w[i] - 2 * pad }))) + 2 * pad;
    const drawRow = (cells: string[], shaded: boolean) => {
      const h = rowHeight(cells);
      if (doc.y + h > bottom()) {
        doc.addPage();
        if (!shaded) drawRow(headers, true);
      }
      let x = MARGIN;
      const y0 = doc.y;
      if (shaded) doc.rect(MARGIN, y0, width, h).fill('#eeeeee').fillColor('black');
      cells.forEach((c, i) => {
        doc.rect(x, y0, w[i], h).lineWidth(0.5).stroke('#888888');
        doc.fillColor('black').text(c || ' ', x + pad, y0 + pad, { width: w[i] - 2 * pad });
        x += w[i];
      });
      doc.x = MARGIN;
      doc.y = y0 + h;
    };
    drawRow(headers, true);
    if (rows.length === 0) drawRow([`（无）`, ...headers.slice(1).map(() => '')], false);
    for (const r of rows) drawRow(r, false);
  };

  const c = d.content;
  heading('一、主要生产设施');
  table(['编号', '名称', '规模'], [1, 3, 2], c.productionFacilities.map((f) => [f.code, f.name, f.capacity ? `${f.capacity.value} ${f.capacity.unit}` : '']));
  heading('二、污染防治设施');
  table(['编号', '名称', '工艺'], [1, 3, 3], c.controlFacilities.map((f) => [f.code, f.name, f.process ?? '']));
  heading('三、排放口及许可排放浓度限值');
  table(
    ['排放口', '类型', '位置 / 高度或受纳水体', '污染物', '执行标准', '许可排放浓度', '速率', '基准氧含量'],
    [1.3, 1.4, 2, 2, 1.8, 1.6, 1, 1],
    c.outlets.flatMap((o) =>
      (o.pollutants.length ? o.pollutants : [undefined]).map((p, i) => [
        i === 0 ? `${o.code} ${o.name}` : '',
        i === 0 ? OUTLET_KIND[o.kind] : '',
        i === 0 ? `${o.longitude.toFixed(6)}, ${o.latitude.toFixed(6)}${o.heightM !== undefined ? ` / ${o.heightM} m` : ''}${o.receivingWater ? ` / ${o.receivingWater}` : ''}` : '',
        p ? `${d.pollutantName(p.pollutantCode)}（${p.pollutantCode}）` : '',
        p?.standard ?? '',
        p ? limitText(p.limit) : '',
        p?.rateLimit ? `${p.rateLimit.value} ${p.rateLimit.unit}` : '',
        p?.referenceO2 !== undefined ? `${p.referenceO2}%` : '',
      ]),
    ),
  );
  heading('四、许可排放量');
  table(['控制因子', '年度', '许可排放量', '排放口'], [2, 1, 2, 1.5], c.permittedQuantities.map((q) => [FACTOR[q.factor] ?? q.factor, String(q.year), `${q.amount} ${q.unit}`, q.outletCode ?? '全厂合计']));
  heading('五、自行监测要求');
  table(['排放口', '污染物', '监测频次', '方式', '方法'], [1, 2.5, 1.5, 1, 2.5], c.selfMonitoring.map((m) => [m.outletCode, `${d.pollutantName(m.pollutantCode)}（${m.pollutantCode}）`, m.frequency, m.mode === 'automatic' ? '自动监测' : '手工监测', m.method ?? '']));
  heading('六、环境管理台账与执行报告');
  doc.fontSize(10).text(c.reports.length ? `应提交：${c.reports.map((r) => REPORT[r.type]).join('、')}。` : '（无）', { width });
  heading('七、改正规定');
  table(['改正要求', '完成期限'], [5, 1.4], c.rectifications.map((r) => [r.requirement, r.deadline]));
  heading('八、其他许可条件');
  doc.fontSize(10);
  if (c.specialConditions.length === 0) doc.text('（无）', { width });
  c.specialConditions.forEach((s, i) => doc.text(`${i + 1}. ${s}`, { width }));

  // -- every page: footer -------------------------------------------------------------------------
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // (below the bottom margin: lift it while writing, or pdfkit starts a new page)
    const kept = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.fontSize(7).fillColor('#555555');
    const footerY = doc.page.height - MARGIN;
    doc.text(`${d.permitNumber}　第 ${d.versionNo} 版　内容校验 SHA-256 ${d.contentSha256}　第 ${i + 1} 页 共 ${range.count} 页`, MARGIN, footerY, { width, align: 'center', lineBreak: false });
    doc.fillColor('black');
    doc.page.margins.bottom = kept;
  }
  doc.end();
  return done;
}
