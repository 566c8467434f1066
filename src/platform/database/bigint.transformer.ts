import { ValueTransformer } from 'typeorm';

/**
 * Money is stored as `bigint` cents. pg returns bigint as a string; this turns it into a
 * JS number and refuses any value that a number cannot hold exactly.
 */
export const bigintCents: ValueTransformer = {
  to(value: number | null | undefined): string | null | undefined {
    if (value === null || value === undefined) return value;
    if (!Number.isSafeInteger(value)) throw new RangeError(`not a safe integer amount: ${value}`);
    return String(value);
  },
  from(value: string | null): number | null {
    if (value === null || value === undefined) return null;
    const n = Number(value);
    if (!Number.isSafeInteger(n))
      throw new RangeError(`stored amount exceeds the safe range: ${value}`);
    return n;
  },
};
