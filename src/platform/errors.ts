/**
 * Domain errors. Each carries a stable `code` (for clients and tests), an HTTP status and a
 * message in both Chinese and English; the HTTP layer turns them into RFC 9457 problem+json.
 */
export interface Messages {
  zh: string;
  en: string;
}

export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly messages: Messages;
  readonly details?: unknown;

  constructor(code: string, status: number, messages: Messages, details?: unknown) {
    super(messages.en);
    this.name = 'AppError';
    this.code = code;
    this.status = status;
    this.messages = messages;
    this.details = details;
  }
}

export class NotFoundError extends AppError {
  constructor(what: Messages = { zh: '记录', en: 'record' }, details?: unknown) {
    super('NOT_FOUND', 404, { zh: `未找到${what.zh}`, en: `${what.en} not found` }, details);
  }
}

export class ValidationError extends AppError {
  constructor(messages: Messages, details?: unknown) {
    super('VALIDATION_FAILED', 400, messages, details);
  }
}

export class ForbiddenError extends AppError {
  constructor(messages: Messages = { zh: '无权执行此操作', en: 'You are not allowed to do this' }) {
    super('FORBIDDEN', 403, messages);
  }
}

export class UnauthenticatedError extends AppError {
  constructor(messages: Messages = { zh: '请先登录', en: 'Please sign in' }, code = 'UNAUTHENTICATED') {
    super(code, 401, messages);
  }
}

export class ConflictError extends AppError {
  constructor(code: string, messages: Messages, details?: unknown) {
    super(code, 409, messages, details);
  }
}

/** SQLSTATE of a database error, through drizzle's wrapper when present. */
export function sqlState(err: unknown): string | undefined {
  let e: any = err;
  for (let i = 0; i < 4 && e; i++) {
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
    e = e.cause;
  }
  return undefined;
}

/** Name of the constraint a database error broke, if any. */
export function sqlConstraint(err: unknown): string | undefined {
  let e: any = err;
  for (let i = 0; i < 4 && e; i++) {
    if (typeof e.constraint === 'string') return e.constraint;
    e = e.cause;
  }
  return undefined;
}
