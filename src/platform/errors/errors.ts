/**
 * Domain errors with stable codes. The global exception filter maps them to HTTP statuses
 * and the API's envelope: {"status":"failed","msg":"..."}.
 */
export type ErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'payment_required'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'unprocessable'
  | 'too_many_requests'
  | 'payload_too_large';

export const HTTP_STATUS_BY_CODE: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  payment_required: 402,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  too_many_requests: 429,
  payload_too_large: 413,
};

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** 400: the message names the field and the problem. */
export class ValidationError extends DomainError {
  constructor(field: string, problem: string) {
    super('bad_request', `invalid ${field}: ${problem}`, field);
  }
}

export class UnauthorizedError extends DomainError {
  constructor(message = 'unauthorized: missing or invalid API key') {
    super('unauthorized', message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message: string) {
    super('forbidden', message);
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string, id?: string) {
    super('not_found', id === undefined ? `${what} not found` : `${what} ${id} not found`);
  }
}

/** 409: the request is valid but the resource's state forbids it; the message says why. */
export class ConflictError extends DomainError {
  constructor(message: string) {
    super('conflict', message);
  }
}

/** 402: a charge the request needed was declined; nothing was changed. */
export class PaymentRequiredError extends DomainError {
  constructor(message: string) {
    super('payment_required', message);
  }
}

export class UnprocessableError extends DomainError {
  constructor(message: string) {
    super('unprocessable', message);
  }
}
