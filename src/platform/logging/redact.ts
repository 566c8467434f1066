/**
 * Card numbers, CVVs, routing and account numbers never reach a log. Redaction is by rule:
 * sensitive keys are masked wherever they appear in a logged object, and any string that
 * looks like a card number (13–19 digits passing Luhn) is masked wherever it appears.
 */
const SENSITIVE_KEY =
  /^(card_?number|cc_?number|number|pan|cvv2?|cvc|cid|security_?code|account_?number|routing_?number|bank_?account|password|current_password|new_password|authorization|x-api-key)$/i;
const FULLY_HIDDEN_KEY = /^(cvv2?|cvc|cid|security_?code|password|current_password|new_password)$/i;
const DIGIT_RUN = /\d(?:[ -]?\d){12,18}/g;

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** Keeps the last four characters, as the spec's masked numbers do. */
export function maskNumber(value: string): string {
  const digits = value.replace(/\D/g, '');
  if (digits.length <= 4) return '*'.repeat(digits.length);
  return `${'*'.repeat(digits.length - 4)}${digits.slice(-4)}`;
}

export function maskCardNumbersInText(text: string): string {
  return text.replace(DIGIT_RUN, (run) => {
    const digits = run.replace(/\D/g, '');
    return luhnValid(digits) ? maskNumber(digits) : run;
  });
}

export function redactSensitive(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[depth]';
  if (typeof value === 'string') return maskCardNumbersInText(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return {
      type: value.name,
      message: maskCardNumbersInText(value.message),
      stack: value.stack && maskCardNumbersInText(value.stack),
    };
  }
  if (value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((v) => redactSensitive(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (SENSITIVE_KEY.test(key) && v !== null && v !== undefined && typeof v !== 'object') {
      out[key] = FULLY_HIDDEN_KEY.test(key) ? '[redacted]' : maskNumber(String(v));
    } else {
      out[key] = redactSensitive(v, depth + 1);
    }
  }
  return out;
}
