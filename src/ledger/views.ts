import type { DisputeRow, PayoutRow } from './ledger.entities';
import type { AttachmentView, NoteView } from './disputes/disputes.service';

export function payoutView(p: PayoutRow) {
  const latest = p.paymentData[p.paymentData.length - 1] ?? null;
  return {
    id: p.id,
    entity: 'payout' as const,
    status: p.status,
    payout_number: p.payoutNumber,
    payout_date: p.payoutDate,
    currency: p.currency,
    transaction_count: p.transactionCount,
    transaction_summary: p.transactionSummary,
    amount: p.amount,
    net_amount: p.netAmount,
    fee_amount: p.feeAmount,
    batch_fee: p.batchFee,
    reject_fee: p.rejectFee,
    latest_payment_data: latest,
    payment_data: p.paymentData,
    payment_attempt_count: p.paymentAttemptCount,
    payment_reject_count: p.paymentRejectCount,
    owner_type: 'account' as const,
    owner_id: p.merchantId,
    account_id: p.merchantId,
    business_id: p.businessId,
    settlement_status: p.status === 'paid' ? ('settled' as const) : ('unsettled' as const),
    settled_at: p.settledAt?.toISOString() ?? null,
    created_at: p.createdAt.toISOString(),
    updated_at: p.updatedAt.toISOString(),
    completed_at: p.completedAt?.toISOString() ?? null,
    returned_at: p.returnedAt?.toISOString() ?? null,
  };
}

export function disputeView(
  d: DisputeRow,
  evidence: { notes: NoteView[]; attachments: AttachmentView[] },
) {
  return {
    id: d.id,
    entity: 'dispute' as const,
    created_at: d.createdAt.toISOString(),
    updated_at: d.updatedAt.toISOString(),
    account_id: d.merchantId,
    business_id: d.businessId,
    status: d.status,
    payment_id: d.paymentId,
    // A payment intent's payment is this gateway transaction; the intent is found from it.
    payment_intent_id: (d.referenceMeta.payment_intent_id as string | undefined) ?? null,
    amount: d.amount,
    currency: d.currency,
    fee: d.fee,
    notes: evidence.notes,
    attachments: evidence.attachments,
    dispute_date: d.disputeDate,
    response_due_date: d.responseDueDate,
    closed_date: d.closedDate,
    reason_disputed_code: d.reasonDisputedCode,
    reason_disputed: d.reasonDisputed,
    dispute_response: d.disputeResponse,
    reference_meta: d.referenceMeta,
    // The network takes a dispute out of settled money at once.
    settlement_status: 'settled' as const,
    settled_at: d.createdAt.toISOString(),
  };
}
