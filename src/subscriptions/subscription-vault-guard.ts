import type { EntityManager } from 'typeorm';
import type { VaultDeletionGuard } from '../gateway/vault/vault.service';

/**
 * A vaulted customer (or payment method) that a live subscription uses may not be deleted.
 * Registered with the vault at boot: the vault never reads the subscriptions table itself.
 */
export const subscriptionsUsingVaultRecord: VaultDeletionGuard = async (
  em: EntityManager,
  target,
) => {
  const params: unknown[] = [target.merchantId, target.customerId];
  let extra = '';
  if (target.paymentMethodId !== undefined) {
    params.push(target.paymentMethodId);
    // A subscription without its own payment method charges the customer's default.
    extra = target.isDefault
      ? ` AND (payment_method_id = $3 OR payment_method_id IS NULL)`
      : ` AND payment_method_id = $3`;
  }
  const rows: { n: string }[] = await em.query(
    `SELECT count(*) AS n FROM subscriptions
      WHERE merchant_id = $1 AND customer_id = $2 AND deleted_at IS NULL
        AND status NOT IN ('cancelled', 'completed')${extra}`,
    params,
  );
  const n = Number(rows[0]?.n ?? 0);
  if (n === 0) return null;
  return `${n} subscription${n === 1 ? '' : 's'} that ${n === 1 ? 'is' : 'are'} not cancelled or completed use${n === 1 ? 's' : ''} it; cancel ${n === 1 ? 'it' : 'them'} first`;
};
