/** A merchant's processors (tax and fee settings, fee program, gateway). */
import { FEE_PROGRAMS } from '../billing-calc';
import {
  Bool,
  Cents,
  DateTime,
  Enum,
  Id,
  IdParams,
  Input,
  Nullable,
  Output,
  route,
  Str,
  Success,
  SuccessList,
  Thousandths,
  Type,
} from '../platform/http/route-schema';

const THOUSANDTHS = 'must be an integer percentage in thousandths from 0 to 100000 (3000 = 3.000%)';
const Rate = () =>
  Thousandths({
    'x-errors': {
      type: `invalid {field}: ${THOUSANDTHS}`,
      minimum: `invalid {field}: ${THOUSANDTHS}`,
      maximum: `invalid {field}: ${THOUSANDTHS}`,
    },
  });

const ServiceFee = Input({
  type: Enum(['flat', 'percentage'] as const, {
    'x-errors': { enum: 'invalid {field}: must be "flat" or "percentage"' },
  }),
  value: Type.Integer({
    minimum: 0,
    description: "cents when type is 'flat', thousandths of a percent when 'percentage'",
    'x-errors': {
      type: 'invalid {field}: must be a non-negative integer (cents, or thousandths for a percentage)',
      minimum:
        'invalid {field}: must be a non-negative integer (cents, or thousandths for a percentage)',
    },
  }),
});

const Gateway = Input({
  kind: Enum(['sandbox', 'http'] as const, {
    'x-errors': { enum: 'invalid {field}: must be "sandbox" or "http"' },
  }),
  base_url: Type.Optional(
    Str(2000, { description: 'the http gateway (a server speaking the gateway API)' }),
  ),
  api_key: Type.Optional(
    Str(512, { description: "the http gateway's API key: sealed at rest, never shown" }),
  ),
});

const settings = () => ({
  name: Type.Optional(Str(255, { example: 'Main processor' })),
  is_default: Type.Optional(Bool()),
  default_tax_rate: Type.Optional(Rate()),
  add_tax_to_total: Type.Optional(Bool()),
  service_fee: Type.Optional(Nullable(ServiceFee)),
  fee_program: Type.Optional(Enum(FEE_PROGRAMS as readonly string[])),
  fee_program_rate: Type.Optional(Rate()),
  fee_program_cap: Type.Optional(Nullable(Rate())),
  surcharge_fallback_rate: Type.Optional(Nullable(Rate())),
  surcharge_disclosure: Type.Optional(Nullable(Str(2000))),
  gateway: Type.Optional(Gateway),
});

export const ProcessorView = Output(
  {
    id: Id(),
    name: Type.String(),
    is_default: Type.Boolean(),
    default_tax_rate: Thousandths(),
    add_tax_to_total: Type.Boolean(),
    service_fee: Nullable(
      Output({ type: Enum(['flat', 'percentage'] as const), value: Nullable(Cents()) }),
    ),
    fee_program: Enum(FEE_PROGRAMS as readonly string[]),
    fee_program_rate: Thousandths(),
    fee_program_cap: Nullable(Thousandths()),
    surcharge_fallback_rate: Nullable(Thousandths()),
    surcharge_disclosure: Nullable(Type.String()),
    gateway: Output({
      kind: Enum(['sandbox', 'http'] as const),
      base_url: Nullable(Type.String()),
      api_key_set: Type.Boolean(),
    }),
    created_at: DateTime(),
    updated_at: DateTime(),
  },
  { title: 'Processor' },
);

const update = route({
  summary: 'Update a processor (only the fields given)',
  params: IdParams,
  body: Input(settings()),
  responses: { 200: Success(ProcessorView) },
  errors: [404],
  idempotent: true,
});

export const PROCESSOR_ROUTES = {
  list: route({
    summary: "The merchant's processors",
    responses: { 200: SuccessList(ProcessorView) },
  }),
  get: route({
    summary: 'Get a processor',
    params: IdParams,
    responses: { 200: Success(ProcessorView) },
    errors: [404],
  }),
  create: route({
    summary: 'Create a processor',
    body: Input({
      ...settings(),
      name: Str(255, {
        'x-errors': { required: 'invalid {field}: is required and must be a non-empty string' },
      }),
    }),
    responses: { 200: Success(ProcessorView) },
    idempotent: true,
    examples: {
      body: { name: 'Surcharging', fee_program: 'surcharge', fee_program_rate: 3000 },
    },
  }),
  update,
  updateByPost: { ...update, summary: 'Update a processor (POST, as the gateway API updates)' },
  remove: route({
    summary: 'Delete a processor (not the default one)',
    params: IdParams,
    responses: { 200: Success(Type.Null()) },
    errors: [404, 409],
  }),
};
