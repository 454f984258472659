import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError, sqlState, type Messages } from './errors.ts';
import { pickLang, type Lang } from './i18n.ts';

/**
 * RFC 9457 problem details. `code` is stable for clients; `title` and `detail` are in the
 * caller's language (Accept-Language), `messages` carries both.
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: string;
  messages: Messages;
  requestId: string;
  errors?: { path: string; message: string }[];
  details?: unknown;
}

const STATUS_TITLES: Record<number, Messages> = {
  400: { zh: '请求有误', en: 'Bad request' },
  401: { zh: '未登录', en: 'Unauthenticated' },
  403: { zh: '禁止访问', en: 'Forbidden' },
  404: { zh: '未找到', en: 'Not found' },
  405: { zh: '方法不允许', en: 'Method not allowed' },
  409: { zh: '冲突', en: 'Conflict' },
  413: { zh: '内容过大', en: 'Payload too large' },
  415: { zh: '不支持的内容类型', en: 'Unsupported media type' },
  422: { zh: '无法处理', en: 'Unprocessable content' },
  423: { zh: '已锁定', en: 'Locked' },
  429: { zh: '请求过于频繁', en: 'Too many requests' },
  500: { zh: '服务器内部错误', en: 'Internal server error' },
  503: { zh: '服务不可用', en: 'Service unavailable' },
};

export function sendProblem(
  req: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: string,
  messages: Messages,
  extra: Partial<Pick<Problem, 'errors' | 'details'>> = {},
) {
  const lang: Lang = pickLang(req.headers['accept-language']);
  const title = STATUS_TITLES[status] ?? STATUS_TITLES[500];
  const body: Problem = {
    type: `/api/problems#${code}`,
    title: lang === 'en' ? title.en : title.zh,
    status,
    detail: lang === 'en' ? messages.en : messages.zh,
    instance: req.url.split('?')[0],
    code,
    messages,
    requestId: String(req.id),
    ...extra,
  };
  return reply.status(status).type('application/problem+json; charset=utf-8').send(body);
}

const ZOD_ZH: Record<string, string> = {
  invalid_type: '类型不正确',
  too_big: '超出允许的长度或范围',
  too_small: '低于最小长度或范围',
  unrecognized_keys: '包含未知字段',
  invalid_format: '格式不正确',
  invalid_value: '取值不在允许范围内',
  invalid_union: '不符合任一允许的格式',
  custom: '取值无效',
};

function zodIssues(err: any): { path: string; message: string; zh: string }[] {
  const list: any[] = err.validation ?? [];
  return list.map((v: any) => {
    const params = v.params ?? {};
    const issue = params.issue ?? v;
    const fromInstance = String(v.instancePath ?? '').split('/').filter(Boolean);
    const pathParts: (string | number)[] = issue.path?.length ? issue.path : fromInstance;
    const path = [err.validationContext, ...pathParts].filter((p) => p !== undefined && p !== '').join('.');
    const extra = issue.keys ? `: ${issue.keys.join(', ')}` : '';
    return { path, message: `${issue.message ?? v.message}${extra}`, zh: `${ZOD_ZH[issue.code] ?? '取值无效'}${extra}` };
  });
}

/** One error handler for the whole API: domain errors, validation, framework errors, the rest. */
export function installErrorHandling(app: FastifyInstance) {
  app.setErrorHandler((err: FastifyError & { statusCode?: number }, req, reply) => {
    if (err instanceof AppError) {
      return sendProblem(req, reply, err.status, err.code, err.messages, err.details === undefined ? {} : { details: err.details });
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const issues = zodIssues(err);
      const en = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
      const zh = issues.map((i) => `${i.path}：${i.zh}`).join('；');
      return sendProblem(req, reply, 400, 'VALIDATION_FAILED', { zh: `输入有误：${zh}`, en: `Invalid input: ${en}` }, {
        errors: issues.map((i) => ({ path: i.path, message: i.message })),
      });
    }
    if (isResponseSerializationError(err)) {
      req.log.error({ err }, 'response did not match its schema');
      return sendProblem(req, reply, 500, 'INTERNAL', { zh: '服务器内部错误', en: 'Internal server error' });
    }
    switch (err.code) {
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return sendProblem(req, reply, 400, 'MALFORMED_JSON', { zh: '请求体不是有效的 JSON', en: 'The request body is not valid JSON' });
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
      case 'FST_REQ_FILE_TOO_LARGE':
        return sendProblem(req, reply, 413, 'PAYLOAD_TOO_LARGE', { zh: '请求内容过大', en: 'The request body is too large' });
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
        return sendProblem(req, reply, 415, 'UNSUPPORTED_MEDIA_TYPE', { zh: '不支持的内容类型', en: 'Unsupported content type' });
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return sendProblem(req, reply, 400, 'BAD_CONTENT_LENGTH', { zh: '内容长度不正确', en: 'Content length mismatch' });
    }
    // Backstop: a value the database refuses as data (SQLSTATE class 22: bad encoding, invalid
    // date, out of range…) is the caller's input, not a server fault.
    const state = sqlState(err);
    if (state?.startsWith('22')) {
      req.log.warn({ err: { message: (err as Error).message, state } }, 'database refused a value');
      return sendProblem(req, reply, 400, 'INVALID_VALUE', { zh: '输入中有数据库无法保存的值（如非法字符或日期）', en: 'The input holds a value the database cannot store (e.g. an invalid character or date)' });
    }
    // Backstop: two writers raced for the same unique slot and the later lost.
    if (state === '23505') {
      return sendProblem(req, reply, 409, 'CONFLICT', { zh: '记录已被他人同时创建或修改，请刷新后重试', en: 'Someone else created or changed this at the same time; reload and try again' });
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 429) {
      return sendProblem(req, reply, 429, 'RATE_LIMITED', { zh: '请求过于频繁，请稍后再试', en: 'Too many requests; try again later' });
    }
    if (status < 500) {
      return sendProblem(req, reply, status, 'BAD_REQUEST', { zh: '请求有误', en: err.message || 'Bad request' });
    }
    req.log.error({ err }, 'unhandled error');
    return sendProblem(req, reply, 500, 'INTERNAL', {
      zh: '服务器内部错误，请联系管理员并提供请求编号',
      en: 'Internal server error; contact the administrator with the request id',
    });
  });
}
