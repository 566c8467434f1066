import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';

export type AuthRequirement = 'private' | 'public_or_private' | 'partner' | 'none';
export const AUTH_REQUIREMENT = 'rebill:auth-requirement';

/** No key needed (health, metrics, docs, hosted pages). */
export const NoAuth = () => SetMetadata(AUTH_REQUIREMENT, 'none' satisfies AuthRequirement);
/** A public (pub_) key is accepted as well as a private one. */
export const PublicKeyAllowed = () =>
  SetMetadata(AUTH_REQUIREMENT, 'public_or_private' satisfies AuthRequirement);
/** Only the partner key. */
export const PartnerOnly = () => SetMetadata(AUTH_REQUIREMENT, 'partner' satisfies AuthRequirement);

/** Who is calling: set on the request by the ApiKeyGuard. */
export interface MerchantAuth {
  kind: 'merchant';
  merchantId: string;
  userId: string;
  keyId: string;
  keyType: 'api' | 'public';
}
export interface PartnerAuth {
  kind: 'partner';
  partnerKeyId: string;
}
export type RequestAuth = MerchantAuth | PartnerAuth;

export const CurrentMerchant = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): MerchantAuth => {
    const auth = ctx.switchToHttp().getRequest<{ auth?: RequestAuth }>().auth;
    if (!auth || auth.kind !== 'merchant')
      throw new Error('CurrentMerchant used on a route without merchant auth');
    return auth;
  },
);
