/**
 * Why route schemas are JSON Schema compiled by ajv (docs/api-contract.md): the cost per
 * request of validating a body and serializing a response, measured in this process.
 *   npx ts-node -T scripts/bench-validation.ts
 * Compares ajv (what Fastify runs for a route schema) with class-validator + class-transformer
 * DTOs (what Nest's ValidationPipe runs), and fast-json-stringify with JSON.stringify.
 */
import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, validateSync } from 'class-validator';
import fastJson from 'fast-json-stringify';
import { compileRequestValidator } from '../src/platform/http/schema-validation';
import { Input, Success } from '../src/platform/http/route-schema';
import { adjustmentFields, CatalogAdjustmentView } from '../src/plans/recurring.schemas';

class AdjustmentDto {
  @IsOptional() @IsString() @MaxLength(200) name?: string;
  @IsOptional() @IsString() @MaxLength(2000) description?: string;
  @IsOptional() @IsInt() @Min(0) @Max(999_999_999_999) amount?: number;
  @IsOptional() @IsInt() @Min(0) @Max(100_000) percentage?: number;
  @IsOptional() @IsInt() @Min(0) @Max(100_000) duration?: number;
}

const body = {
  name: 'test plan',
  description: 'just a simple test plan',
  amount: 100,
  duration: 0,
};
const view = {
  status: 'success',
  msg: 'success',
  data: {
    id: 'b89ffdqj8m0o735i19i0',
    ...body,
    percentage: null,
    created_at: '2017-11-20T15:41:43.330Z',
    updated_at: '2017-11-20T15:41:43.330Z',
  },
};

function time(label: string, n: number, fn: () => unknown): void {
  for (let i = 0; i < 10_000; i++) fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  const ns = Number(process.hrtime.bigint() - start) / n;
  console.log(`${label.padEnd(48)} ${(ns / 1000).toFixed(2).padStart(8)} µs/op`);
}

const N = 200_000;
const ajvValidate = compileRequestValidator({
  schema: Input(adjustmentFields()),
  httpPart: 'body',
});
time('validate body: ajv (route schema)', N, () => ajvValidate({ ...body }));
time('validate body: class-transformer + class-validator', N, () =>
  validateSync(plainToInstance(AdjustmentDto, { ...body })),
);
const serialize = fastJson(Success(CatalogAdjustmentView) as never);
time('serialize response: fast-json-stringify', N, () => serialize(view));
time('serialize response: JSON.stringify', N, () => JSON.stringify(view));
