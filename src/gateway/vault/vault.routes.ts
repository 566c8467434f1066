/**
 * The customer vault (spec: Customer Vault). Bodies are checked field by field here; card and
 * account numbers, expiration dates and the rules between fields stay in vault-input.ts.
 * Responses carry masked numbers only.
 */
import {
  DateTime,
  Enum,
  Id,
  IdParams,
  Input,
  Opt,
  Output,
  route,
  Str,
  Success,
  SuccessWithoutData,
  SuccessList,
  Type,
} from '../../platform/http/route-schema';
import { SearchBody, TEXT_MAX } from '../../platform/http/shared-schemas';
import { ADDRESS_FIELDS } from './vault.entities';

const addressInputFields = () =>
  Object.fromEntries(ADDRESS_FIELDS.map((f) => [f, Opt(Str(TEXT_MAX))])) as Record<
    (typeof ADDRESS_FIELDS)[number],
    ReturnType<typeof Opt<ReturnType<typeof Str>>>
  >;
const AddressInput = () => Input(addressInputFields());

const PaymentInput = () =>
  Input(
    {
      card: Opt(
        Input({
          number: Opt(
            Str(30, { description: 'the full card number (stored sealed, shown masked)' }),
          ),
          expiration_date: Opt(Str(10, { example: '12/28' })),
          cvc: Opt(Str(4)),
        }),
      ),
      ach: Opt(
        Input({
          account_number: Opt(Str(30)),
          routing_number: Opt(Str(9)),
          account_type: Opt(Str(20, { example: 'checking' })),
          sec_code: Opt(Str(3, { example: 'web' })),
        }),
      ),
      token: Opt(Str(200, { description: 'a tokenizer token' })),
    },
    { description: 'exactly one of card, ach or token' },
  );

const customerFields = () => ({
  id: Opt(Str(100)),
  id_format: Opt(Str(50)),
  description: Opt(Str(TEXT_MAX)),
  notes: Opt(Str(TEXT_MAX)),
  flags: Opt(Type.Array(Str(50), { maxItems: 20, example: ['surcharge_exempt'] })),
  default_payment: Opt(PaymentInput()),
  default_billing_address: Opt(AddressInput()),
  default_shipping_address: Opt(AddressInput()),
});

const AddressView = Output({
  id: Type.String(),
  hash: Type.String(),
  ...Object.fromEntries(ADDRESS_FIELDS.map((f) => [f, Type.String()])),
});

const CardView = Output({
  id: Id(),
  card_type: Type.String(),
  masked_number: Type.String({ example: '411111******1111' }),
  expiration_date: Type.String({ example: '12/28' }),
  flags: Type.Array(Type.String()),
  created_at: DateTime(),
  updated_at: DateTime(),
});

const AchView = Output({
  id: Id(),
  masked_account_number: Type.String(),
  routing_number: Type.Unsafe<string | null>({ type: ['string', 'null'] }),
  account_type: Type.Unsafe<string | null>({ type: ['string', 'null'] }),
  sec_code: Type.Unsafe<string | null>({ type: ['string', 'null'] }),
  flags: Type.Array(Type.String()),
  created_at: DateTime(),
  updated_at: DateTime(),
});

export const CustomerView = Output(
  {
    id: Type.String({ description: 'ours, or the custom id given at creation' }),
    owner_id: Id(),
    data: Output({
      customer: Output({
        addresses: Type.Array(AddressView),
        defaults: Output({
          billing_address_id: Type.String(),
          payment_method_id: Type.String(),
          payment_method_type: Type.String(),
          shipping_address_id: Type.String(),
        }),
        description: Type.String(),
        notes: Type.String(),
        flags: Type.Array(Type.String()),
        payments: Output({ ach: Type.Array(AchView), cards: Type.Array(CardView) }),
      }),
    }),
    created_at: DateTime(),
    updated_at: DateTime(),
  },
  { title: 'VaultCustomer' },
);

const Kind = Enum(['card', 'ach', 'token', 'applepay', 'googlepay'] as const, {
  description: 'card, ach or token (applepay and googlepay are refused)',
});
const AddressParams = Input({
  id: Type.String({ maxLength: 100 }),
  addressId: Type.String({ maxLength: 100 }),
});
const KindParams = Input({ id: Type.String({ maxLength: 100 }), kind: Kind });
const MethodParams = Input({
  id: Type.String({ maxLength: 100 }),
  kind: Kind,
  paymentMethodId: Type.String({ maxLength: 100 }),
});

export const VAULT_ROUTES = {
  create: route({
    errorStyle: 'invalid',
    summary: 'Create a customer in the vault',
    body: Input(customerFields()),
    responses: { 200: Success(CustomerView) },
    errors: [409],
    idempotent: true,
    examples: {
      body: {
        description: 'test description',
        default_payment: { card: { number: '4111111111111111', expiration_date: '12/28' } },
        default_billing_address: {
          first_name: 'John',
          last_name: 'Smith',
          company: 'Some Business',
          city: 'Some Town',
          state: 'IL',
          postal_code: '60187',
          country: 'US',
          email: 'user@somesite.com',
          phone: '5555555555',
        },
      },
    },
  }),
  search: route({
    errorStyle: 'invalid',
    summary: 'Search the vault',
    body: SearchBody('id', 'an id, or {"operator": "=", "value": "..."}'),
    responses: { 200: SuccessList(CustomerView) },
    idempotent: true,
  }),
  get: route({
    summary: 'Get a customer',
    params: IdParams,
    responses: { 200: Success(CustomerView) },
    errors: [404],
  }),
  update: route({
    errorStyle: 'invalid',
    summary: 'Update a customer',
    params: IdParams,
    body: Input(customerFields()),
    responses: { 200: Success(CustomerView) },
    errors: [404],
    idempotent: true,
  }),
  remove: route({
    summary: 'Delete a customer',
    params: IdParams,
    responses: { 200: SuccessWithoutData },
    errors: [404, 409],
  }),
  createAddress: route({
    errorStyle: 'invalid',
    summary: "Add an address to a customer's vault entry",
    params: IdParams,
    body: AddressInput(),
    responses: { 200: Success(CustomerView) },
    errors: [404],
    idempotent: true,
  }),
  updateAddress: route({
    errorStyle: 'invalid',
    summary: 'Update an address',
    params: AddressParams,
    body: AddressInput(),
    responses: { 200: Success(CustomerView) },
    errors: [404],
    idempotent: true,
  }),
  deleteAddress: route({
    summary: 'Delete an address',
    params: AddressParams,
    responses: { 200: SuccessWithoutData },
    errors: [404, 409],
  }),
  createPaymentMethod: route({
    errorStyle: 'invalid',
    summary: 'Add a card, bank account or token to a customer',
    params: KindParams,
    body: Input({
      number: Opt(Str(30)),
      expiration_date: Opt(Str(10)),
      cvc: Opt(Str(4)),
      account_number: Opt(Str(30)),
      routing_number: Opt(Str(9)),
      account_type: Opt(Str(20)),
      sec_code: Opt(Str(3)),
      token: Opt(Str(200)),
    }),
    responses: { 200: Success(CustomerView) },
    errors: [404],
    idempotent: true,
  }),
  updatePaymentMethod: route({
    errorStyle: 'invalid',
    summary: 'Update a payment method',
    params: MethodParams,
    body: Input({
      number: Opt(Str(30)),
      expiration_date: Opt(Str(10)),
      account_type: Opt(Str(20)),
      sec_code: Opt(Str(3)),
    }),
    responses: { 200: Success(CustomerView) },
    errors: [404],
    idempotent: true,
  }),
  deletePaymentMethod: route({
    summary: 'Delete a payment method',
    params: MethodParams,
    responses: { 200: SuccessWithoutData },
    errors: [404, 409],
  }),
};
