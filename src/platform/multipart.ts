import type { FastifyRequest } from 'fastify';
import { AppError, ValidationError } from './errors.ts';

/**
 * One uploaded file and the form's text fields, from a multipart/form-data request (the
 * server's multipart limits apply). 415 when the request is not multipart, 400 without a file.
 */
export async function readUpload(req: FastifyRequest): Promise<{ file: { data: Buffer; filename: string }; fields: Record<string, string> }> {
  if (!req.isMultipart()) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 415, { zh: '请以 multipart/form-data 上传文件', en: 'Upload the file as multipart/form-data' });
  let file: { data: Buffer; filename: string } | undefined;
  const fields: Record<string, string> = {};
  for await (const part of req.parts()) {
    if (part.type === 'file') file = { data: await part.toBuffer(), filename: part.filename };
    else fields[part.fieldname] = String(part.value);
  }
  if (!file) throw new ValidationError({ zh: '请选择要上传的文件', en: 'No file was uploaded' });
  return { file, fields };
}
