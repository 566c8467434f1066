/**
 * The one error the calculation core throws for bad input.
 *
 * `field` is the path of the offending value in the request, written the way
 * the API documents it (`discount_amount[1].value`, `line_items[0].quantity`),
 * and the message always starts with that path, so the HTTP layer can answer
 * 400 `{"status":"failed","msg": err.message}` without rewording anything.
 */
export class CalcInputError extends Error {
  /** Stable code for logs and the global exception filter. */
  readonly code = 'calc_input_invalid';

  constructor(
    readonly field: string,
    /** What is wrong, phrased to follow the field name: "must be ...". */
    readonly problem: string,
  ) {
    super(`${field} ${problem}`);
    this.name = 'CalcInputError';
  }
}

/** A short, safe rendering of a rejected value for an error message. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    return value.length > 40 ? `a ${value.length}-character string` : JSON.stringify(value);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
