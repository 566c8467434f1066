import type { MerchantAuth } from '../platform/auth/auth.decorators';

/**
 * Who or what made a change, as recorded in subscription events: `api_key:<key id>` for a
 * request, `billing_run` for the nightly run, `system` for anything else.
 */
export type Actor = `api_key:${string}` | 'billing_run' | 'system';

export function apiKeyActor(auth: MerchantAuth): Actor {
  return `api_key:${auth.keyId}`;
}
