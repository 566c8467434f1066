import { ApiKey } from './api-key.entity';
import { Merchant } from './merchant.entity';
import { User } from './user.entity';

/** Response shapes of the spec (Users, Api Keys). */
export function userView(user: User) {
  return {
    id: user.id,
    username: user.username,
    name: user.name,
    phone: user.phone,
    email: user.email,
    timezone: user.timezone,
    status: user.status,
    role: user.role,
    account_type: 'merchant',
    account_type_id: user.merchantId,
    created_at: user.createdAt.toISOString(),
    updated_at: user.updatedAt.toISOString(),
  };
}

/** `api_key` holds the full key only when it was just created; afterwards only a masked form exists. */
export function apiKeyView(key: ApiKey, secret?: string) {
  return {
    id: key.id,
    user_id: key.userId,
    type: key.type,
    name: key.name,
    api_key: secret ?? key.maskedKey,
    created_at: key.createdAt.toISOString(),
    updated_at: key.updatedAt.toISOString(),
  };
}

export function merchantView(merchant: Merchant) {
  return {
    id: merchant.id,
    name: merchant.name,
    timezone: merchant.timezone,
    locale: merchant.locale,
    created_at: merchant.createdAt.toISOString(),
    updated_at: merchant.updatedAt.toISOString(),
  };
}
