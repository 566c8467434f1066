import type { EntityManager } from 'typeorm';
import type { VaultDeletionGuard } from '../gateway/vault/vault.service';

/**
 * A vaulted customer with an open invoice (pending or partly paid) may not be deleted: the
 * invoice would bill a customer who no longer exists. Payment methods are not guarded: an
 * invoice is paid with whatever the customer enters on its page. Registered at boot.
 */
export const openInvoicesOfVaultCustomer: VaultDeletionGuard = async (
  em: EntityManager,
  target,
) => {
  if (target.paymentMethodId !== undefined) return null;
  const rows: { n: string }[] = await em.query(
    `SELECT count(*) AS n FROM invoices
      WHERE merchant_id = $1 AND customer_id = $2 AND deleted_at IS NULL
        AND status IN ('pending', 'partially_paid')`,
    [target.merchantId, target.customerId],
  );
  const n = Number(rows[0]?.n ?? 0);
  if (n === 0) return null;
  return `${n} open invoice${n === 1 ? '' : 's'} bill${n === 1 ? 's' : ''} this customer; void or settle ${n === 1 ? 'it' : 'them'} first`;
};
