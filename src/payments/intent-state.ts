/**
 * The payment intent's state machine (docs/payments-api.md, "Payment intents"). Pure:
 * which action each status allows, and the reason a refused one gets (answered with 409).
 *
 *   created ──pay──▶ pending ──approved, capture:true──▶ captured ──refund──▶ captured
 *      │  ▲             │ └────approved, capture:false──▶ uncaptured ──capture──▶ captured
 *      │  └──pay── failed ◀──declined                        └──cancel (void)──▶ cancelled
 *      └──cancel──▶ cancelled ◀──cancel── failed
 */
import type { PaymentIntentStatus } from './payment.entities';

export type IntentAction = 'pay' | 'capture' | 'cancel' | 'refund' | 'update';

const ALLOWED: Record<IntentAction, readonly PaymentIntentStatus[]> = {
  pay: ['created', 'failed'],
  capture: ['uncaptured'],
  cancel: ['created', 'failed', 'uncaptured'],
  refund: ['captured'],
  update: ['created', 'failed'],
};

const PAST: Record<IntentAction, string> = {
  pay: 'paid',
  capture: 'captured',
  cancel: 'cancelled',
  refund: 'refunded',
  update: 'updated',
};

const WHY: Record<PaymentIntentStatus, string> = {
  created: 'it has no payment yet',
  pending: 'a payment of it is in progress',
  uncaptured: 'its payment is authorized and waits for capture',
  captured: 'its payment has been captured',
  cancelled: 'it has been cancelled',
  failed: 'its last payment failed',
};

const HINT: Partial<Record<`${IntentAction}:${PaymentIntentStatus}`, string>> = {
  'cancel:captured': '; refund it instead',
  'capture:captured': '; it cannot be captured again',
  'capture:created': '; create a payment with capture:false first',
  'capture:failed': '; create a payment with capture:false first',
  'pay:failed': '',
  'refund:uncaptured': '; cancel it to release the authorization instead',
  'update:uncaptured': '; capture or cancel it instead',
};

/** Null when the action is allowed in this status; otherwise why not, for a 409. */
export function intentRefusal(status: PaymentIntentStatus, action: IntentAction): string | null {
  if (ALLOWED[action].includes(status)) return null;
  const verb = PAST[action];
  return `payment intent is ${status} and cannot be ${verb}: ${WHY[status]}${HINT[`${action}:${status}`] ?? ''}`;
}

export const INTENT_ACTIONS: readonly IntentAction[] = [
  'pay',
  'capture',
  'cancel',
  'refund',
  'update',
];
export const INTENT_STATUSES: readonly PaymentIntentStatus[] = [
  'created',
  'pending',
  'uncaptured',
  'captured',
  'cancelled',
  'failed',
];

/** AVS response code → the spec's address checks. */
export function avsChecks(avs: string | null): {
  address_line1_check: 'pass' | 'fail' | 'unavailable' | 'unchecked';
  address_postal_code_check: 'pass' | 'fail' | 'unavailable' | 'unchecked';
} {
  switch (avs) {
    case 'Y':
    case 'X':
      return { address_line1_check: 'pass', address_postal_code_check: 'pass' };
    case 'Z':
    case 'W':
      return { address_line1_check: 'unchecked', address_postal_code_check: 'pass' };
    case 'A':
      return { address_line1_check: 'pass', address_postal_code_check: 'unchecked' };
    case 'N':
      return { address_line1_check: 'fail', address_postal_code_check: 'fail' };
    case null:
    case '':
      return { address_line1_check: 'unchecked', address_postal_code_check: 'unchecked' };
    default:
      return { address_line1_check: 'unavailable', address_postal_code_check: 'unavailable' };
  }
}

/** CVV response code → the spec's `cvv_check`. */
export function cvvCheck(cvv: string | null): 'pass' | 'fail' | 'unavailable' | 'unchecked' {
  if (cvv === 'M') return 'pass';
  if (cvv === 'N') return 'fail';
  if (cvv === 'P') return 'unchecked';
  return cvv === null || cvv === '' ? 'unchecked' : 'unavailable';
}
