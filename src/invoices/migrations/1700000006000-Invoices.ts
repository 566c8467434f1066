import { MigrationInterface, QueryRunner } from 'typeorm';

export class Invoices1700000006000 implements MigrationInterface {
  name = 'Invoices1700000006000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE invoices (
        id text PRIMARY KEY,
        merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        invoice_number text,
        currency text NOT NULL,
        company_name text NOT NULL DEFAULT '',
        company_logo_url text NOT NULL DEFAULT '',
        customer_number text NOT NULL DEFAULT '',
        customer_id text NOT NULL DEFAULT '',
        payable_to jsonb NOT NULL,
        bill_to jsonb NOT NULL,
        date_due timestamptz NOT NULL,
        items jsonb NOT NULL,
        advanced_fields boolean NOT NULL DEFAULT false,
        enable_tax boolean NOT NULL DEFAULT false,
        enable_shipping boolean NOT NULL DEFAULT false,
        require_shipping_details boolean NOT NULL DEFAULT false,
        require_billing_details_on_payment_only boolean NOT NULL DEFAULT false,
        tax_percent text NOT NULL DEFAULT '',
        tax_input bigint NOT NULL DEFAULT 0 CHECK (tax_input >= 0),
        shipping_input bigint NOT NULL DEFAULT 0 CHECK (shipping_input >= 0),
        subtotal bigint NOT NULL CHECK (subtotal >= 0),
        tax bigint NOT NULL CHECK (tax >= 0),
        shipping bigint NOT NULL CHECK (shipping >= 0),
        adjustment bigint NOT NULL,
        total bigint NOT NULL CHECK (total >= 0),
        amount_paid bigint NOT NULL DEFAULT 0 CHECK (amount_paid >= 0),
        service_fees_paid bigint NOT NULL DEFAULT 0 CHECK (service_fees_paid >= 0),
        surcharge_paid bigint NOT NULL DEFAULT 0 CHECK (surcharge_paid >= 0),
        discount_credited bigint NOT NULL DEFAULT 0 CHECK (discount_credited >= 0),
        amount_due bigint NOT NULL CHECK (amount_due >= 0),
        allow_partial_payment boolean NOT NULL DEFAULT false,
        transaction_type text NOT NULL DEFAULT 'sale' CHECK (transaction_type IN ('sale', 'authorize')),
        payment_methods jsonb NOT NULL,
        card_processor_id text NOT NULL DEFAULT '',
        ach_processor_id text NOT NULL DEFAULT '',
        message text NOT NULL DEFAULT '',
        reject_message text NOT NULL DEFAULT '',
        send_via text NOT NULL CHECK (send_via IN ('email', 'text', 'both', 'none')),
        email_to text NOT NULL DEFAULT '',
        status text NOT NULL CHECK (status IN ('pending', 'partially_paid', 'paid', 'cancelled')),
        public_token text NOT NULL UNIQUE,
        subscription_id text,
        billing_cycle_key text,
        last_sent_at timestamptz,
        reminder_sent_at timestamptz,
        overdue_notice_sent_at timestamptz,
        paid_at timestamptz,
        cancelled_at timestamptz,
        deleted_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CHECK ((subscription_id IS NULL) = (billing_cycle_key IS NULL))
      )`);
    await q.query(
      `CREATE INDEX invoices_merchant_created_idx ON invoices (merchant_id, created_at)`,
    );
    await q.query(`CREATE INDEX invoices_merchant_due_idx ON invoices (merchant_id, date_due)`);
    // Invoice numbers are unique per merchant among live invoices (a deleted one frees its number).
    await q.query(
      `CREATE UNIQUE INDEX invoices_merchant_number_uq ON invoices (merchant_id, invoice_number)
        WHERE invoice_number IS NOT NULL AND deleted_at IS NULL`,
    );
    // The billing run bills a subscription's cycle once, however often it runs.
    await q.query(
      `CREATE UNIQUE INDEX invoices_subscription_cycle_uq
          ON invoices (merchant_id, subscription_id, billing_cycle_key)
        WHERE subscription_id IS NOT NULL`,
    );
    // The reminder sweep: open invoices by due date.
    await q.query(
      `CREATE INDEX invoices_open_due_idx ON invoices (date_due)
        WHERE status IN ('pending', 'partially_paid') AND deleted_at IS NULL`,
    );

    await q.query(`
      CREATE TABLE invoice_payments (
        id text PRIMARY KEY,
        merchant_id text NOT NULL REFERENCES merchants(id) ON DELETE CASCADE,
        invoice_id text NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
        source text NOT NULL CHECK (source IN ('hosted_page', 'mark_as_paid', 'recorded')),
        method text NOT NULL,
        nonce text,
        idempotency_key text,
        amount bigint NOT NULL CHECK (amount >= 0),
        surcharge bigint NOT NULL DEFAULT 0 CHECK (surcharge >= 0),
        service_fee bigint NOT NULL DEFAULT 0 CHECK (service_fee >= 0),
        charged_amount bigint NOT NULL CHECK (charged_amount >= 0),
        status text NOT NULL CHECK (status IN ('pending', 'approved', 'declined', 'unknown')),
        transaction_id text,
        processor_id text,
        response_text text NOT NULL DEFAULT '',
        masked_account text NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX invoice_payments_invoice_idx ON invoice_payments (invoice_id)`);
    // A form submitted twice (double click, back button, reload) is one payment.
    await q.query(
      `CREATE UNIQUE INDEX invoice_payments_nonce_uq ON invoice_payments (invoice_id, nonce)
        WHERE nonce IS NOT NULL`,
    );
    // At most one payment in flight per invoice, so two tabs cannot both pay the amount due.
    await q.query(
      `CREATE UNIQUE INDEX invoice_payments_one_in_flight ON invoice_payments (invoice_id)
        WHERE status IN ('pending', 'unknown')`,
    );
    // A gateway transaction pays one invoice once.
    await q.query(
      `CREATE UNIQUE INDEX invoice_payments_transaction_uq ON invoice_payments (merchant_id, transaction_id)
        WHERE transaction_id IS NOT NULL`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE invoice_payments`);
    await q.query(`DROP TABLE invoices`);
  }
}
