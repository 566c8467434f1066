import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The first customer-initiated transaction that stored a payment method for recurring use,
 * per processor. Later merchant-initiated charges send it as `initial_transaction_id`.
 */
@Entity('gateway_stored_credentials')
export class StoredCredential {
  @PrimaryColumn({ type: 'text', name: 'merchant_id' })
  merchantId!: string;

  @PrimaryColumn({ type: 'text', name: 'processor_id' })
  processorId!: string;

  @PrimaryColumn({ type: 'text', name: 'customer_id' })
  customerId!: string;

  @PrimaryColumn({ type: 'text', name: 'payment_method_id' })
  paymentMethodId!: string;

  @Column({ type: 'text', name: 'initial_transaction_id' })
  initialTransactionId!: string;

  @Column({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;
}
