/** Spec: Users (and Rebill's POST /api/token-auth). Rules live in UsersService (docs/users.md). */
import {
  DateTime,
  IdParams,
  Input,
  Int,
  Opt,
  Output,
  route,
  Str,
  Success,
  SuccessList,
  Type,
} from '../platform/http/route-schema';
import { UserView } from './accounts.routes';

const loose = (description: string) => Opt(Type.Unknown({ description }));

const Profile = {
  name: Opt(Str(100)),
  phone: Opt(Str(20, { description: 'digits only' })),
  email: Opt(Str(254)),
  timezone: Opt(Str(64, { example: 'Etc/UTC' })),
  status: Opt(Str(20, { description: '"active" or "disabled"' })),
  role: Opt(Str(20, { description: '"admin" or "standard"' })),
  permissions: loose('the spec’s permissions.* booleans'),
  notifications: loose('notifications.merchant.* booleans'),
  defaults: loose('defaults.* (strings, show_transaction_totals boolean)'),
};

const NullData = (msg: string) =>
  Output({
    status: Type.Literal('success'),
    msg: Type.String({ example: msg }),
    data: Type.Null(),
  });

export const USER_ROUTES = {
  create: route({
    summary: 'Create a user (admins only)',
    body: Input({
      username: Opt(Str(64, { description: 'letters and digits, at least one of each' })),
      password: Opt(Str(200, { description: '8–64 characters: uppercase, digit, special' })),
      ...Profile,
    }),
    responses: { 200: Success(UserView) },
    errors: [403, 409],
    idempotent: true,
    examples: {
      body: {
        username: 'testmerchant43',
        name: 'test merchant user',
        phone: '6305555555',
        email: 'info@website.com',
        timezone: 'ETC/UTC',
        password: 'Passw0rd!',
        status: 'active',
        role: 'admin',
      },
    },
  }),
  get: route({
    summary: 'A user of the merchant',
    params: IdParams,
    responses: { 200: Success(UserView) },
    errors: [403, 404],
  }),
  list: route({
    summary: 'The merchant’s users (admins only)',
    responses: { 200: SuccessList(UserView) },
    errors: [403],
  }),
  update: route({
    summary: 'Update a user',
    params: IdParams,
    body: Input(Profile),
    responses: { 200: Success(UserView) },
    errors: [403, 404, 409],
    idempotent: true,
  }),
  delete: route({
    summary: 'Delete a user: its keys and tokens stop working at once',
    params: IdParams,
    responses: { 200: NullData('successfully deleted') },
    errors: [403, 404, 409],
  }),
  changePassword: route({
    summary: 'Change the calling user’s password (revokes its tokens)',
    body: Input({
      username: Opt(Str(64)),
      current_password: Opt(Str(200)),
      new_password: Opt(Str(200)),
    }),
    responses: { 200: NullData('password changed') },
    errors: [403, 429],
    idempotent: true,
    examples: {
      body: {
        username: 'testmerchant43',
        current_password: 'Passw0rd!',
        new_password: 'N3w-Passw0rd!',
      },
    },
  }),
  tokenAuth: route({
    summary: 'Username and password → a short-lived JWT for Authorization: Bearer',
    auth: 'none',
    body: Input({ username: Opt(Str(64)), password: Opt(Str(200)) }),
    responses: {
      200: Success(
        Output({
          token: Type.String(),
          token_type: Type.Literal('Bearer'),
          expires_at: DateTime(),
          expires_in: Int(60, 86400),
          user: UserView,
        }),
      ),
    },
    errors: [401, 429],
    idempotent: true,
  }),
};
