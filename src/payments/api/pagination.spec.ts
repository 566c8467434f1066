import { ValidationError } from '../../platform/errors/errors';
import { parseCursorQuery } from './pagination';

describe('parseCursorQuery', () => {
  it('defaults to 10, newest first, no cursor', () => {
    expect(parseCursorQuery({})).toEqual({ startingAfter: null, endingBefore: null, limit: 10 });
  });

  it('accepts 1 to 50', () => {
    expect(parseCursorQuery({ limit: '50' }).limit).toBe(50);
    expect(parseCursorQuery({ limit: '1' }).limit).toBe(1);
  });

  it.each(['0', '51', '-1', '1.5', 'ten', '1e1'])('refuses limit %s naming it', (limit) => {
    expect(() => parseCursorQuery({ limit })).toThrow(ValidationError);
    expect(() => parseCursorQuery({ limit })).toThrow(/limit/);
  });

  it('refuses both cursors at once', () => {
    expect(() => parseCursorQuery({ starting_after: 'a', ending_before: 'b' })).toThrow(
      /ending_before/,
    );
  });

  it('refuses a cursor that cannot be an id', () => {
    expect(() => parseCursorQuery({ starting_after: "x' OR 1=1" })).toThrow(/starting_after/);
  });
});
