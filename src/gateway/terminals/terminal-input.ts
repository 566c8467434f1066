/**
 * Rebill's terminal API (create, update) and `payment_method.terminal` in a transaction.
 * Pure: no database, no clock.
 */
import { ValidationError } from '../../platform/errors/errors';
import {
  Body,
  isAbsent,
  optionalBoolean,
  optionalObject,
  optionalOneOf,
  optionalString,
  refuseUnknownFields,
  requiredString,
} from '../../platform/http/input';
import { parseCvc, parseExpirationDate } from '../payment-details/payment-details';
import { isSettleAt } from '../settlement/settle-schedule';

export interface TerminalFields {
  manufacturer?: string;
  model?: string;
  serialNumber?: string;
  tpn?: string;
  description?: string;
  authKey?: string;
  registerId?: string;
  autoSettle?: boolean;
  settleAt?: string;
  /** null: the merchant's default processor. */
  processorId?: string | null;
  status?: 'active' | 'disabled';
}

const TEXT = { max: 100 };
const CODE = {
  max: 64,
  pattern: /^[A-Za-z0-9._-]+$/,
  patternText: 'letters, digits, ".", "_" or "-"',
};

export function parseTerminalFields(body: Body, mode: 'create' | 'update'): TerminalFields {
  refuseUnknownFields(body, [
    'manufacturer',
    'model',
    'serial_number',
    'tpn',
    'description',
    'auth_key',
    'register_id',
    'auto_settle',
    'settle_at',
    'processor_id',
    ...(mode === 'update' ? ['status'] : []),
  ]);
  const out: TerminalFields = {};
  const set = <K extends keyof TerminalFields>(key: K, value: TerminalFields[K] | null) => {
    if (value !== null) out[key] = value as TerminalFields[K];
  };
  set('manufacturer', optionalString(body.manufacturer, 'manufacturer', { max: 50 }) ?? null);
  set('model', optionalString(body.model, 'model', { max: 50 }) ?? null);
  set('serialNumber', optionalString(body.serial_number, 'serial_number', CODE) ?? null);
  set('tpn', optionalString(body.tpn, 'tpn', CODE) ?? null);
  set('description', optionalString(body.description, 'description', TEXT) ?? null);
  set('authKey', optionalString(body.auth_key, 'auth_key', { max: 128 }) ?? null);
  set('registerId', optionalString(body.register_id, 'register_id', CODE) ?? null);
  set('autoSettle', optionalBoolean(body.auto_settle, 'auto_settle') ?? null);
  const settleAt = optionalString(body.settle_at, 'settle_at', { max: 8 });
  if (settleAt !== undefined) {
    if (!isSettleAt(settleAt)) {
      throw new ValidationError(
        'settle_at',
        'must be a time of day "HH:MM:SS" (24-hour), such as "23:30:00"',
      );
    }
    out.settleAt = settleAt;
  }
  if ('processor_id' in body) {
    const p = optionalString(body.processor_id, 'processor_id', { max: 64 });
    out.processorId = p === undefined || p === '' ? null : p;
  }
  set('status', optionalOneOf(body.status, 'status', ['active', 'disabled'] as const) ?? null);
  if (mode === 'create') {
    if (out.manufacturer === '') throw new ValidationError('manufacturer', 'must not be empty');
    if (out.model === '') throw new ValidationError('model', 'must not be empty');
  }
  return out;
}

export const PRINT_RECEIPT = ['no', 'customer', 'merchant', 'both'] as const;

export interface TerminalPaymentRequest {
  kind: 'terminal';
  terminalId: string;
  printReceipt: (typeof PRINT_RECEIPT)[number];
  signatureRequired: boolean;
  expiration: { month: number; year: number } | null;
  cvc: string | null;
}

/** Spec: payment_method.terminal {id, expiration_date, cvc, print_receipt, signature_required}. */
export function parseTerminalPayment(value: unknown, now: Date): TerminalPaymentRequest {
  const field = 'payment_method.terminal';
  const obj = optionalObject(value, field) ?? {};
  const terminalId = requiredString(obj.id, `${field}.id`, { max: 64 });
  const printReceipt =
    optionalOneOf(obj.print_receipt, `${field}.print_receipt`, PRINT_RECEIPT) ?? 'no';
  // The spec's sample sends signature_required as a boolean; its table says string.
  let signatureRequired = false;
  const sig = obj.signature_required;
  if (!isAbsent(sig)) {
    if (sig === true || sig === 'true') signatureRequired = true;
    else if (sig === false || sig === 'false' || sig === '') signatureRequired = false;
    else throw new ValidationError(`${field}.signature_required`, 'must be true or false');
  }
  const expiration =
    isAbsent(obj.expiration_date) || obj.expiration_date === ''
      ? null
      : parseExpirationDate(obj.expiration_date, `${field}.expiration_date`, now);
  return {
    kind: 'terminal',
    terminalId,
    printReceipt,
    signatureRequired,
    expiration,
    cvc: parseCvc(obj.cvc, `${field}.cvc`),
  };
}
