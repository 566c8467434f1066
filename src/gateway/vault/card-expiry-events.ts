import { Inject, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { EventLog, NewEvent } from '../../events/event-log';
import { Clock, CLOCK } from '../../platform/clock/clock';
import { expiryDedupeKey, monthsToAnnounce } from './card-expiry';
import { VaultPaymentMethod } from './vault.entities';
import { cardView } from './vault.views';

const PAGE = 500;

/**
 * Records `payment_method.expiring` for every vaulted card 30 days or less from expiring,
 * once per card and expiration date: the event log drops a notice whose dedupe key the
 * merchant already has, so the sweep can run as often as it likes, from several processes.
 */
@Injectable()
export class CardExpiryEvents {
  private readonly logger = new Logger(CardExpiryEvents.name);
  private running = false;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly eventLog: EventLog,
  ) {}

  /** One sweep; returns how many notices were recorded. `merchantId` limits it (tests). */
  async runOnce(options: { merchantId?: string } = {}): Promise<number> {
    const months = monthsToAnnounce(this.clock.now());
    if (months.length === 0) return 0;
    let recorded = 0;
    let after = '';
    for (;;) {
      const cards = await this.dataSource
        .getRepository(VaultPaymentMethod)
        .createQueryBuilder('m')
        .where(`m.type = 'card' AND m.id > :after`, { after })
        .andWhere(
          `(m.expiration_year, m.expiration_month) IN (SELECT * FROM unnest(:years::int[], :months::int[]))`,
          { years: months.map((m) => m.year), months: months.map((m) => m.month) },
        )
        .andWhere(options.merchantId ? 'm.merchant_id = :merchantId' : 'TRUE', {
          merchantId: options.merchantId,
        })
        .orderBy('m.id')
        .take(PAGE)
        .getMany();
      if (cards.length === 0) return recorded;
      const events: NewEvent[] = cards.map((card) => ({
        merchantId: card.merchantId,
        type: 'payment_method.expiring',
        objectType: 'payment_method',
        objectId: card.id,
        data: { customer_id: card.customerId, ...cardView(card) },
        dedupeKey: expiryDedupeKey(card.id, {
          year: card.expirationYear!,
          month: card.expirationMonth!,
        }),
      }));
      recorded += (await this.dataSource.transaction((em) => this.eventLog.record(em, events)))
        .length;
      if (cards.length < PAGE) return recorded;
      after = cards[cards.length - 1].id;
    }
  }

  /** Hourly in the running app: a notice is due at most an hour late, and recorded once. */
  @Interval(60 * 60 * 1000)
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.runOnce();
    } catch (err) {
      this.logger.warn({ err }, 'card expiry sweep failed');
    } finally {
      this.running = false;
    }
  }
}
