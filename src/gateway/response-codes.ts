/**
 * The gateway API's response codes (spec: Response Codes): 100–199 approvals, 200–299 issuer
 * declines, 300–399 gateway declines, 400–499 processor errors. The spec names only the
 * ranges; the individual codes below are the ones the sandbox returns, and the ones the
 * engine classifies.
 *
 * A decline is **soft** when trying the same payment method again later may succeed
 * (insufficient funds, a processor outage), and **hard** when it will not (lost or stolen
 * card, closed account, the cardholder stopped recurring payments): the engine stops
 * retrying a hard decline and asks the customer for another payment method.
 * docs/sandbox.md lists the table.
 */
export type DeclineKind = 'soft' | 'hard';
export type ResponseClass = 'approved' | 'partially_approved' | 'declined';

export interface ResponseCode {
  code: number;
  text: string;
  /** The processor's own code, as the response's `processor_response_code`. */
  processorCode: string;
  declineKind: DeclineKind | null;
}

const CODES: readonly ResponseCode[] = [
  { code: 100, text: 'Approved', processorCode: '00', declineKind: null },
  { code: 110, text: 'Partial approval', processorCode: '10', declineKind: null },
  { code: 200, text: 'Declined by the issuer', processorCode: '05', declineKind: 'soft' },
  { code: 201, text: 'Do not honor', processorCode: '05', declineKind: 'soft' },
  { code: 202, text: 'Insufficient funds', processorCode: '51', declineKind: 'soft' },
  { code: 203, text: 'Over limit', processorCode: '61', declineKind: 'soft' },
  { code: 204, text: 'Transaction not allowed', processorCode: '57', declineKind: 'hard' },
  { code: 220, text: 'Incorrect payment information', processorCode: '14', declineKind: 'hard' },
  { code: 221, text: 'No such card issuer', processorCode: '15', declineKind: 'hard' },
  {
    code: 222,
    text: 'No card number on file with issuer',
    processorCode: '56',
    declineKind: 'hard',
  },
  { code: 223, text: 'Expired card', processorCode: '54', declineKind: 'hard' },
  { code: 224, text: 'Invalid expiration date', processorCode: '80', declineKind: 'hard' },
  { code: 225, text: 'Invalid card security code', processorCode: 'N7', declineKind: 'hard' },
  {
    code: 240,
    text: 'Call issuer for further information',
    processorCode: '01',
    declineKind: 'soft',
  },
  { code: 250, text: 'Pick up card', processorCode: '04', declineKind: 'hard' },
  { code: 251, text: 'Lost card', processorCode: '41', declineKind: 'hard' },
  { code: 252, text: 'Stolen card', processorCode: '43', declineKind: 'hard' },
  { code: 253, text: 'Fraudulent card', processorCode: '59', declineKind: 'hard' },
  {
    code: 260,
    text: 'Declined with further instructions available',
    processorCode: '05',
    declineKind: 'soft',
  },
  {
    code: 261,
    text: 'Declined: stop all recurring payments',
    processorCode: 'R1',
    declineKind: 'hard',
  },
  {
    code: 262,
    text: 'Declined: stop this recurring program',
    processorCode: 'R0',
    declineKind: 'hard',
  },
  {
    code: 263,
    text: 'Declined: updated cardholder data available',
    processorCode: 'R3',
    declineKind: 'hard',
  },
  { code: 264, text: 'Declined: retry in a few days', processorCode: '19', declineKind: 'soft' },
  { code: 300, text: 'Rejected by the gateway', processorCode: '', declineKind: 'hard' },
  {
    code: 400,
    text: 'Transaction error returned by the processor',
    processorCode: '96',
    declineKind: 'soft',
  },
  { code: 410, text: 'Invalid merchant configuration', processorCode: '03', declineKind: 'soft' },
  { code: 411, text: 'Merchant account is inactive', processorCode: '03', declineKind: 'soft' },
  { code: 420, text: 'Communication error', processorCode: '91', declineKind: 'soft' },
  {
    code: 421,
    text: 'Communication error with the issuer',
    processorCode: '91',
    declineKind: 'soft',
  },
  {
    code: 430,
    text: 'Duplicate transaction at the processor',
    processorCode: '94',
    declineKind: 'soft',
  },
  { code: 440, text: 'Processor format error', processorCode: '30', declineKind: 'soft' },
  { code: 441, text: 'Invalid transaction information', processorCode: '12', declineKind: 'hard' },
  { code: 460, text: 'Processor feature not available', processorCode: '58', declineKind: 'soft' },
  { code: 461, text: 'Unsupported card type', processorCode: '58', declineKind: 'hard' },
];

const BY_CODE = new Map(CODES.map((c) => [c.code, c]));

export const RESPONSE_CODES: readonly ResponseCode[] = CODES;

export function responseCode(code: number): ResponseCode {
  const known = BY_CODE.get(code);
  if (known) return known;
  return { code, text: rangeText(code), processorCode: '', declineKind: declineKindOf(code) };
}

export function responseClass(code: number): ResponseClass {
  if (code === 110) return 'partially_approved';
  if (code >= 100 && code <= 199) return 'approved';
  return 'declined';
}

/**
 * Soft or hard, for any code: the table's classification when the code is known,
 * otherwise by range (issuer declines soft, gateway declines hard, processor errors soft).
 * Null for approvals.
 */
export function declineKindOf(code: number): DeclineKind | null {
  const known = BY_CODE.get(code);
  if (known) return known.declineKind;
  if (code >= 100 && code <= 199) return null;
  if (code >= 300 && code <= 399) return 'hard';
  return 'soft';
}

function rangeText(code: number): string {
  if (code >= 100 && code <= 199) return 'Approved';
  if (code >= 200 && code <= 299) return 'Declined by the issuer';
  if (code >= 300 && code <= 399) return 'Rejected by the gateway';
  if (code >= 400 && code <= 499) return 'Transaction error returned by the processor';
  return 'Unknown';
}
