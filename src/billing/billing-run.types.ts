import type { LocalDate } from '../billing-calc/calendar';

export interface BillingRunOptions {
  /** Bill everything due on or before this calendar date (in each subscription's time zone). */
  asOf: LocalDate;
  /** Only this merchant's subscriptions; all merchants when absent. */
  merchantId?: string;
  /** Only these subscriptions of the merchant (ending a trial early bills it at once). */
  subscriptionIds?: string[];
  /** Show what would be charged without charging or writing anything. */
  dryRun?: boolean;
  /** Concurrent workers in this process (each claims its own batches). */
  workers?: number;
  /** Subscriptions claimed per batch (default 250). */
  batchSize?: number;
  /** Charges in flight at once per worker (default 32). */
  inFlight?: number;
  /** Who started it: 'api_key:<id>', 'cli', 'scheduler'. */
  triggeredBy: string;
  /** Called after each batch, for progress bars. */
  onProgress?: (summary: BillingRunSummary) => void;
}

export interface BillingRunSummary {
  subscriptions: number;
  charged: number;
  declined: number;
  retried: number;
  completed: number;
  unknown: number;
  errors: number;
  amount_charged: number;
  amount_declined: number;
  /** Dry runs only: what would be charged. */
  would_charge?: {
    subscription_id: string;
    bill_date: LocalDate;
    amount: number;
    attempt: number;
  }[];
}

export function emptySummary(): BillingRunSummary {
  return {
    subscriptions: 0,
    charged: 0,
    declined: 0,
    retried: 0,
    completed: 0,
    unknown: 0,
    errors: 0,
    amount_charged: 0,
    amount_declined: 0,
  };
}

export type BillingRunStatus = 'running' | 'completed' | 'failed' | 'abandoned';

export interface BillingRunRecord {
  id: string;
  merchant_id: string | null;
  as_of: LocalDate;
  dry_run: boolean;
  status: BillingRunStatus;
  triggered_by: string;
  summary: BillingRunSummary;
  error: string | null;
  started_at: string;
  finished_at: string | null;
}
