import { Inject, Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { DataSource, EntityManager } from 'typeorm';
import { AccountsService } from '../../accounts/accounts.service';
import { Clock, CLOCK } from '../../platform/clock/clock';
import { NotFoundError } from '../../platform/errors/errors';
import { newId } from '../../platform/ids/ids';
import { Terminal } from '../terminals/terminal.entity';
import { TransactionChange, TransactionObservers } from '../transactions/transaction-observers';
import { Body } from '../../platform/http/input';
import { parseBatchSearch } from './batch-search';
import { batchTotals, SettlingTransaction } from './batch-totals';
import { isAutoSettleDue } from './settle-schedule';
import { SettlementBatch } from './settlement-batch.entity';

type Trigger = SettlementBatch['trigger'];

/**
 * Settlement closes open (pending_settlement) transactions into batches: a terminal's
 * transactions (at its settle_at, or POST /api/terminal/{id}/settle), or a processor's
 * card-not-present ones (hourly, or POST /api/sandbox/settle). One batch per scope, batch
 * number and currency, with counts and totals; each transaction gets its batch_number.
 *
 * A batch is closed in one database transaction: the scope is locked (the terminal row, or
 * the processor's counter row), the open transactions are locked, the batch rows inserted,
 * the transactions settled with one set-based UPDATE, and the observers told once per batch.
 * A unique index on (merchant, processor, terminal, number, currency) backs it.
 */
@Injectable()
export class SettlementService {
  private readonly logger = new Logger(SettlementService.name);

  constructor(
    private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly observers: TransactionObservers,
    private readonly accounts: AccountsService,
  ) {}

  /** Spec: Batch Terminal. Settling a terminal with nothing open answers no batch. */
  async settleTerminal(
    merchantId: string,
    terminalId: string,
    trigger: Trigger,
  ): Promise<SettlementBatch[]> {
    return this.dataSource.transaction(async (em) => {
      const terminal = await em
        .getRepository(Terminal)
        .findOne({ where: { merchantId, id: terminalId }, lock: { mode: 'pessimistic_write' } });
      if (!terminal) throw new NotFoundError('terminal', terminalId);
      return this.closeTerminalBatch(em, terminal, trigger);
    });
  }

  /**
   * Settles every open transaction of one merchant (or of all): card-not-present ones per
   * processor, and, with `includeTerminals`, each terminal's. Returns how many settled.
   */
  async settlePending(
    merchantId: string | null,
    options: { includeTerminals: boolean; trigger: Trigger },
  ): Promise<number> {
    const scopes: { merchant_id: string; processor_id: string; terminal_id: string | null }[] =
      await this.dataSource.query(
        `SELECT DISTINCT merchant_id, processor_id, terminal_id FROM gateway_transactions
          WHERE status = 'pending_settlement' ${merchantId === null ? '' : 'AND merchant_id = $1'}`,
        merchantId === null ? [] : [merchantId],
      );
    let settled = 0;
    const terminalsDone = new Set<string>();
    for (const scope of scopes) {
      if (scope.terminal_id !== null) {
        if (!options.includeTerminals || terminalsDone.has(scope.terminal_id)) continue;
        terminalsDone.add(scope.terminal_id);
        const batches = await this.settleTerminal(
          scope.merchant_id,
          scope.terminal_id,
          options.trigger,
        );
        settled += batches.reduce((n, b) => n + b.transactionCount, 0);
      } else {
        const batches = await this.dataSource.transaction((em) =>
          this.closeProcessorBatch(em, scope.merchant_id, scope.processor_id, options.trigger),
        );
        settled += batches.reduce((n, b) => n + b.transactionCount, 0);
      }
    }
    return settled;
  }

  /**
   * Settles every terminal whose auto_settle time has come (merchant's time zone). Two
   * schedulers cannot both settle one terminal: each locks it SKIP LOCKED and checks again.
   */
  async settleDueTerminals(): Promise<SettlementBatch[]> {
    const now = this.clock.now();
    const candidates = await this.dataSource.getRepository(Terminal).find({
      where: { autoSettle: true },
      order: { id: 'ASC' },
    });
    const zones = await this.accounts.timeZonesOf([
      ...new Set(candidates.map((c) => c.merchantId)),
    ]);
    const isDue = (t: Terminal) =>
      isAutoSettleDue({
        now,
        settleAt: t.settleAt,
        timeZone: zones.get(t.merchantId) ?? 'UTC',
        lastSettledAt: t.lastSettledAt,
        createdAt: t.createdAt,
      });
    const closed: SettlementBatch[] = [];
    for (const candidate of candidates.filter(isDue)) {
      const batches = await this.dataSource.transaction(async (em) => {
        const locked = await em
          .getRepository(Terminal)
          .createQueryBuilder('t')
          .where('t.id = :id', { id: candidate.id })
          .setLock('pessimistic_write')
          .setOnLocked('skip_locked')
          .getOne();
        if (!locked || !locked.autoSettle || !isDue(locked)) return [];
        return this.closeTerminalBatch(em, locked, 'scheduled');
      });
      closed.push(...batches);
    }
    return closed;
  }

  @Cron(CronExpression.EVERY_MINUTE)
  async settleDueTerminalsOnSchedule(): Promise<void> {
    try {
      const batches = await this.settleDueTerminals();
      if (batches.length > 0) this.logger.log({ batches: batches.length }, 'terminals settled');
    } catch (err) {
      this.logger.error({ err }, 'terminal settlement failed');
    }
  }

  /** The sandbox processor settles card-not-present transactions every hour on the hour. */
  @Cron(CronExpression.EVERY_HOUR)
  async settleProcessorsOnSchedule(): Promise<void> {
    try {
      const n = await this.settlePending(null, { includeTerminals: false, trigger: 'scheduled' });
      if (n > 0) this.logger.log({ settled: n }, 'sandbox settlement batch');
    } catch (err) {
      this.logger.error({ err }, 'sandbox settlement failed');
    }
  }

  /** Spec: POST /api/settlement/batch/search, newest first. */
  async search(
    merchantId: string,
    body: Body,
  ): Promise<{ data: SettlementBatch[]; total: number }> {
    const search = parseBatchSearch(merchantId, body);
    const where = search.sql.where();
    const [{ total }]: { total: string }[] = await this.dataSource.query(
      `SELECT count(*) AS total FROM settlement_batches b WHERE ${where}`,
      search.sql.params,
    );
    const limit = search.sql.param(search.limit);
    const offset = search.sql.param(search.offset);
    const ids: { id: string }[] = await this.dataSource.query(
      `SELECT b.id FROM settlement_batches b WHERE ${where}
        ORDER BY b.batch_date DESC, b.id DESC LIMIT ${limit} OFFSET ${offset}`,
      search.sql.params,
    );
    const rows = ids.length
      ? await this.dataSource
          .getRepository(SettlementBatch)
          .createQueryBuilder('b')
          .where('b.merchant_id = :m AND b.id IN (:...ids)', {
            m: merchantId,
            ids: ids.map((r) => r.id),
          })
          .orderBy('b.batch_date', 'DESC')
          .addOrderBy('b.id', 'DESC')
          .getMany()
      : [];
    return { data: rows, total: Number(total) };
  }

  private async closeTerminalBatch(
    em: EntityManager,
    terminal: Terminal,
    trigger: Trigger,
  ): Promise<SettlementBatch[]> {
    const now = this.clock.now();
    const batches = await this.closeBatch(em, {
      merchantId: terminal.merchantId,
      terminalId: terminal.id,
      processorId: null,
      batchNumber: terminal.openBatchNumber,
      trigger,
      now,
    });
    await em.query(
      `UPDATE terminals SET open_batch_number = open_batch_number + $3, last_settled_at = $4
        WHERE merchant_id = $1 AND id = $2`,
      [terminal.merchantId, terminal.id, batches.length > 0 ? 1 : 0, now],
    );
    return batches;
  }

  private async closeProcessorBatch(
    em: EntityManager,
    merchantId: string,
    processorId: string,
    trigger: Trigger,
  ): Promise<SettlementBatch[]> {
    await em.query(
      `INSERT INTO processor_settlement_counters (merchant_id, processor_id) VALUES ($1, $2)
       ON CONFLICT DO NOTHING`,
      [merchantId, processorId],
    );
    const [counter]: { open_batch_number: number }[] = await em.query(
      `SELECT open_batch_number FROM processor_settlement_counters
        WHERE merchant_id = $1 AND processor_id = $2 FOR UPDATE`,
      [merchantId, processorId],
    );
    const batches = await this.closeBatch(em, {
      merchantId,
      terminalId: null,
      processorId,
      batchNumber: counter.open_batch_number,
      trigger,
      now: this.clock.now(),
    });
    if (batches.length > 0) {
      await em.query(
        `UPDATE processor_settlement_counters SET open_batch_number = open_batch_number + 1
          WHERE merchant_id = $1 AND processor_id = $2`,
        [merchantId, processorId],
      );
    }
    return batches;
  }

  private async closeBatch(
    em: EntityManager,
    input: {
      merchantId: string;
      terminalId: string | null;
      processorId: string | null;
      batchNumber: number;
      trigger: Trigger;
      now: Date;
    },
  ): Promise<SettlementBatch[]> {
    const { merchantId, now } = input;
    const scope =
      input.terminalId !== null ? 'terminal_id = $2' : 'terminal_id IS NULL AND processor_id = $2';
    const open: {
      id: string;
      type: SettlingTransaction['type'];
      processor_id: string;
      currency: string;
      amount_captured: string;
      referenced_transaction_id: string | null;
    }[] = await em.query(
      `SELECT id, type, processor_id, currency, amount_captured, referenced_transaction_id
         FROM gateway_transactions
        WHERE merchant_id = $1 AND status = 'pending_settlement' AND ${scope}
        ORDER BY created_at, id FOR UPDATE`,
      [merchantId, input.terminalId ?? input.processorId],
    );
    if (open.length === 0) return [];
    const groups = batchTotals(
      open.map((r) => ({
        id: r.id,
        type: r.type,
        processorId: r.processor_id,
        currency: r.currency,
        amountSettled: Number(r.amount_captured),
      })),
    );
    const batches = groups.map((g) =>
      Object.assign(new SettlementBatch(), {
        id: newId(),
        merchantId,
        processorId: g.processorId,
        terminalId: input.terminalId,
        batchNumber: input.batchNumber,
        currency: g.currency,
        batchDate: now,
        trigger: input.trigger,
        transactionCount: g.transactionCount,
        saleCount: g.saleCount,
        saleAmount: g.saleAmount,
        refundCount: g.refundCount,
        refundAmount: g.refundAmount,
        creditCount: g.creditCount,
        creditAmount: g.creditAmount,
        netAmount: g.netAmount,
        createdAt: now,
      } satisfies SettlementBatch),
    );
    await em.getRepository(SettlementBatch).insert(batches);
    const ids: string[] = [];
    const batchIds: string[] = [];
    groups.forEach((g, i) => {
      for (const id of g.transactionIds) {
        ids.push(id);
        batchIds.push(batches[i].id);
      }
    });
    await em.query(
      `UPDATE gateway_transactions t
          SET status = 'settled', amount_settled = t.amount_captured, settled_at = $2, updated_at = $2,
              batch_number = $3, settlement_batch_id = u.batch_id
         FROM unnest($4::text[], $5::text[]) AS u(id, batch_id)
        WHERE t.merchant_id = $1 AND t.id = u.id`,
      [merchantId, now, input.batchNumber, ids, batchIds],
    );
    const byId = new Map(open.map((r) => [r.id, r]));
    for (const g of groups) {
      const changes: TransactionChange[] = g.transactionIds.map((id) => {
        const r = byId.get(id)!;
        return {
          kind: 'settled',
          merchantId,
          transactionId: id,
          amountCents: Number(r.amount_captured),
          currency: r.currency,
          occurredAt: now,
          ...(r.referenced_transaction_id !== null
            ? { relatedTransactionId: r.referenced_transaction_id }
            : {}),
        };
      });
      await this.observers.notify(em, changes);
    }
    return batches;
  }
}
