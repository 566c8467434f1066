import { NotFoundException } from '@nestjs/common';
import { CalcInputError } from '../../billing-calc/errors';
import { ConflictError, ValidationError } from './errors';
import { describeError } from './global-exception.filter';

describe('describeError', () => {
  it('answers an unexpected error with a generic 500 that reveals nothing', () => {
    const err = new Error('connection to 10.0.0.5 refused; card 4111111111111111');
    expect(describeError(err)).toEqual({ status: 500, msg: 'internal server error' });
  });

  it('keeps the status and message of domain errors', () => {
    expect(describeError(new ValidationError('amount', 'must be an integer'))).toEqual({
      status: 400,
      msg: 'invalid amount: must be an integer',
    });
    expect(describeError(new ConflictError('the invoice is paid'))).toEqual({
      status: 409,
      msg: 'the invoice is paid',
    });
  });

  it("answers the calculation core's input errors with a 400 naming the field", () => {
    expect(describeError(new CalcInputError('tax_amount.value', 'must not be negative'))).toEqual({
      status: 400,
      msg: 'tax_amount.value must not be negative',
    });
  });

  it('names the route of a 404 and the problem of a malformed body', () => {
    expect(describeError(new NotFoundException(), { method: 'GET', url: '/x?y=1' })).toEqual({
      status: 404,
      msg: 'not found: GET /x',
    });
    expect(
      describeError({ statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY', message: 'x' }),
    ).toEqual({
      status: 400,
      msg: 'malformed JSON body: the request body could not be parsed',
    });
  });
});
