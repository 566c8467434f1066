import { Body, Get, HttpCode, Param, Post, Query, Res, StreamableFile } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { Route } from '../platform/http/route-schema';
import { LEDGER_ROUTES } from './ledger.routes';
import { NotFoundError, ValidationError } from '../platform/errors/errors';
import { cursorPage, listPage, parseCursorQuery } from '../payments/api/pagination';
import { CurrentV1Caller, V1Caller, V1Controller } from '../payments/api/v1-auth';
import { DisputesService } from './disputes/disputes.service';
import { DisputeRow, PayoutRow } from './ledger.entities';
import { LedgerService } from './ledger.service';
import { PayoutsService } from './payouts/payouts.service';
import { ProcessingPlansService } from './processing-plans.service';
import { disputeView, payoutView } from './views';

const ID = /^[A-Za-z0-9_-]{1,64}$/;
function optionalId(v: unknown, field: string): string | null {
  if (v === undefined || v === '') return null;
  if (typeof v !== 'string' || !ID.test(v)) throw new ValidationError(field, 'must be an id');
  return v;
}

/** Spec: Balances. */
@V1Controller('balances')
export class BalancesController {
  constructor(private readonly ledger: LedgerService) {}

  @Get()
  @Route(LEDGER_ROUTES.balances)
  async balances(@CurrentV1Caller() caller: V1Caller) {
    return { data: await this.ledger.balances(caller.accountId) };
  }
}

/** Spec: Transactions (the ledger's, not the gateway's). */
@V1Controller('transactions')
export class LedgerTransactionsController {
  constructor(private readonly ledger: LedgerService) {}

  @Get()
  @Route(LEDGER_ROUTES.listTransactions)
  async list(@CurrentV1Caller() caller: V1Caller, @Query() query: Record<string, unknown>) {
    return this.ledger.list(
      caller.accountId,
      parseCursorQuery(query),
      optionalId(query.payout_id, 'payout_id'),
    );
  }

  @Post('search')
  @HttpCode(200)
  @Route(LEDGER_ROUTES.searchTransactions)
  async search(@CurrentV1Caller() caller: V1Caller, @Body() body: unknown) {
    return this.ledger.search(caller.accountId, body ?? {});
  }

  @Post('download')
  @HttpCode(200)
  @Route(LEDGER_ROUTES.downloadTransactions)
  download(@CurrentV1Caller() caller: V1Caller, @Body() body: unknown) {
    return new StreamableFile(this.ledger.download(caller.accountId, body ?? {}), {
      type: 'text/csv; charset=utf-8',
      disposition: 'attachment; filename="transactions.csv"',
    });
  }

  @Get(':id')
  @Route(LEDGER_ROUTES.getTransaction)
  async get(@CurrentV1Caller() caller: V1Caller, @Param('id') id: string) {
    return this.ledger.get(caller.accountId, id);
  }
}

const DISPUTE_STATUSES = ['new', 'under_review', 'won', 'lost'];

/** Spec: Disputes, with evidence (notes and files). */
@V1Controller('disputes')
export class DisputesController {
  constructor(
    private readonly disputes: DisputesService,
    private readonly dataSource: DataSource,
  ) {}

  @Get()
  @Route(LEDGER_ROUTES.listDisputes)
  async list(@CurrentV1Caller() caller: V1Caller, @Query() query: Record<string, unknown>) {
    const qb = this.dataSource
      .getRepository(DisputeRow)
      .createQueryBuilder('d')
      .where('d.merchantId = :m', { m: caller.accountId });
    if (query.status !== undefined) {
      if (typeof query.status !== 'string' || !DISPUTE_STATUSES.includes(query.status)) {
        throw new ValidationError('status', `must be one of ${DISPUTE_STATUSES.join(', ')}`);
      }
      qb.andWhere('d.status = :s', { s: query.status });
    }
    const paymentId = optionalId(query.payment_id, 'payment_id');
    if (paymentId !== null) qb.andWhere('d.paymentId = :p', { p: paymentId });
    if (query.reason_disputed_code !== undefined) {
      const code = Number(query.reason_disputed_code);
      if (!/^\d{1,6}$/.test(String(query.reason_disputed_code))) {
        throw new ValidationError('reason_disputed_code', 'must be a whole number');
      }
      qb.andWhere('d.reasonDisputedCode = :c', { c: code });
    }
    const page = await cursorPage(qb, 'd', parseCursorQuery(query));
    const evidence = await this.disputes.evidenceOf(page.rows.map((d) => d.id));
    return listPage(page, (d) => disputeView(d, evidence.get(d.id)!));
  }

  @Get(':id')
  @Route(LEDGER_ROUTES.getDispute)
  async get(@CurrentV1Caller() caller: V1Caller, @Param('id') id: string) {
    return this.view(await this.disputes.get(caller.accountId, id));
  }

  @Post(':id/notes')
  @HttpCode(200)
  @Route(LEDGER_ROUTES.addDisputeNote)
  async addNote(
    @CurrentV1Caller() caller: V1Caller,
    @Param('id') id: string,
    @Body() body: unknown,
  ) {
    await this.disputes.addNote(caller.accountId, id, body);
    return this.view(await this.disputes.get(caller.accountId, id));
  }

  @Post(':id/attachments')
  @HttpCode(200)
  @Route(LEDGER_ROUTES.addDisputeAttachment)
  async addAttachment(
    @CurrentV1Caller() caller: V1Caller,
    @Param('id') id: string,
    @Body() body: unknown,
  ) {
    await this.disputes.addAttachment(caller.accountId, id, body);
    return this.view(await this.disputes.get(caller.accountId, id));
  }

  @Get(':id/attachments/:attachmentId')
  @Route(LEDGER_ROUTES.getDisputeAttachment)
  async attachment(
    @CurrentV1Caller() caller: V1Caller,
    @Param('id') id: string,
    @Param('attachmentId') attachmentId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const file = await this.disputes.attachment(caller.accountId, id, attachmentId);
    reply.header('x-content-type-options', 'nosniff');
    return new StreamableFile(file.content, {
      type: file.contentType,
      disposition: `attachment; filename="${file.filename.replace(/"/g, '')}"`,
    });
  }

  private async view(d: DisputeRow) {
    const evidence = await this.disputes.evidenceOf([d.id]);
    return disputeView(d, evidence.get(d.id)!);
  }
}

/** Spec: Payouts. */
@V1Controller('payouts')
export class PayoutsController {
  constructor(
    private readonly payouts: PayoutsService,
    private readonly dataSource: DataSource,
  ) {}

  @Get()
  @Route(LEDGER_ROUTES.listPayouts)
  async list(@CurrentV1Caller() caller: V1Caller, @Query() query: Record<string, unknown>) {
    const qb = this.dataSource
      .getRepository(PayoutRow)
      .createQueryBuilder('p')
      .where('p.merchantId = :m', { m: caller.accountId });
    return listPage(await cursorPage(qb, 'p', parseCursorQuery(query)), payoutView);
  }

  /** Spec: "Fetch a list of payouts for a business" (x-business-id required). */
  @Get('business')
  @Route(LEDGER_ROUTES.listBusinessPayouts)
  async listForBusiness(
    @CurrentV1Caller() caller: V1Caller,
    @Query() query: Record<string, unknown>,
  ) {
    if (caller.businessId === null) throw new ValidationError('x-business-id', 'is required');
    const qb = this.dataSource
      .getRepository(PayoutRow)
      .createQueryBuilder('p')
      .where('p.merchantId = :m AND p.businessId = :b', {
        m: caller.accountId,
        b: caller.businessId,
      });
    return listPage(await cursorPage(qb, 'p', parseCursorQuery(query)), payoutView);
  }

  @Get(':id')
  @Route(LEDGER_ROUTES.getPayout)
  async get(@CurrentV1Caller() caller: V1Caller, @Param('id') id: string) {
    return payoutView(await this.payouts.get(caller.accountId, id));
  }
}

/** Spec: Accounts → "Fetch Partner Processing Plan". */
@V1Controller('accounts')
export class ProcessingPlanController {
  constructor(private readonly plans: ProcessingPlansService) {}

  @Get(':id/processing_plan')
  @Route(LEDGER_ROUTES.getProcessingPlan)
  async get(@CurrentV1Caller() caller: V1Caller, @Param('id') id: string) {
    // Another merchant's account is not found, never forbidden.
    if (id !== caller.accountId) throw new NotFoundError('account', id);
    return this.plans.get(caller.accountId);
  }
}

/** The sandbox's money events on demand (tests, demos): disputes, payouts, the bank. */
@V1Controller('sandbox')
export class LedgerSandboxController {
  constructor(
    private readonly disputes: DisputesService,
    private readonly payouts: PayoutsService,
  ) {}

  @Post('disputes/raise')
  @HttpCode(200)
  @Route(LEDGER_ROUTES.sandboxRaiseDisputes)
  async raise(@CurrentV1Caller() caller: V1Caller) {
    return { raised: await this.disputes.raiseDue(caller.accountId) };
  }

  @Post('disputes/:id/resolve')
  @HttpCode(200)
  @Route(LEDGER_ROUTES.sandboxResolveDispute)
  async resolve(
    @CurrentV1Caller() caller: V1Caller,
    @Param('id') id: string,
    @Body() body: unknown,
  ) {
    const outcome = ((body ?? {}) as Record<string, unknown>).outcome;
    const d = await this.disputes.resolve(caller.accountId, id, outcome);
    const evidence = await this.disputes.evidenceOf([d.id]);
    return disputeView(d, evidence.get(d.id)!);
  }

  @Post('payouts/run')
  @HttpCode(200)
  @Route(LEDGER_ROUTES.sandboxRunPayouts)
  async run(@CurrentV1Caller() caller: V1Caller) {
    return this.payouts.run(caller.accountId);
  }

  @Post('payouts/:id/return')
  @HttpCode(200)
  @Route(LEDGER_ROUTES.sandboxReturnPayout)
  async returnPayout(
    @CurrentV1Caller() caller: V1Caller,
    @Param('id') id: string,
    @Body() body: unknown,
  ) {
    const reason = ((body ?? {}) as Record<string, unknown>).reason;
    return payoutView(await this.payouts.returnPayout(caller.accountId, id, reason));
  }
}
