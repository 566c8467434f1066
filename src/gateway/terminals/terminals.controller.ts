import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentMerchant, MerchantAuth } from '../../platform/auth/auth.decorators';
import { objectBody } from '../../platform/http/body';
import { list, ok } from '../../platform/http/envelope';
import { settlementBatchView } from '../settlement/settlement-batch.entity';
import { SettlementService } from '../settlement/settlement.service';
import { Route } from '../../platform/http/route-schema';
import { terminalView } from './terminal.entity';
import { TERMINAL_ROUTES } from './terminals.routes';
import { TerminalsService } from './terminals.service';

/** Spec: Terminals (list) and Batch Terminal (settle); create, read, update, disable are Rebill's. */
@ApiTags('terminals')
@Controller('api')
export class TerminalsController {
  constructor(
    private readonly terminals: TerminalsService,
    private readonly settlement: SettlementService,
  ) {}

  /** Includes disabled terminals, as the spec says. */
  @Get('terminals')
  @Route(TERMINAL_ROUTES.list)
  async list(@CurrentMerchant() auth: MerchantAuth) {
    const found = await this.terminals.list(auth.merchantId);
    return list(found.map(terminalView), found.length);
  }

  @Post('terminal')
  @HttpCode(200)
  @Route(TERMINAL_ROUTES.create)
  async create(@CurrentMerchant() auth: MerchantAuth, @Body() raw: unknown) {
    return ok(terminalView(await this.terminals.create(auth.merchantId, objectBody(raw))));
  }

  @Get('terminal/:id')
  @Route(TERMINAL_ROUTES.get)
  async get(@CurrentMerchant() auth: MerchantAuth, @Param('id') id: string) {
    return ok(terminalView(await this.terminals.get(auth.merchantId, id)));
  }

  @Post('terminal/:id')
  @HttpCode(200)
  @Route(TERMINAL_ROUTES.update)
  async update(
    @CurrentMerchant() auth: MerchantAuth,
    @Param('id') id: string,
    @Body() raw: unknown,
  ) {
    return ok(terminalView(await this.terminals.update(auth.merchantId, id, objectBody(raw))));
  }

  /** Disables (never deletes: transactions and batches keep pointing at the terminal). */
  @Delete('terminal/:id')
  @Route(TERMINAL_ROUTES.disable)
  async disable(@CurrentMerchant() auth: MerchantAuth, @Param('id') id: string) {
    return ok(terminalView(await this.terminals.disable(auth.merchantId, id)));
  }

  /** Spec: Batch Terminal. The batches it closed (one per currency), empty when nothing was open. */
  @Post('terminal/:id/settle')
  @HttpCode(200)
  @Route(TERMINAL_ROUTES.settle)
  async settle(@CurrentMerchant() auth: MerchantAuth, @Param('id') id: string) {
    const batches = await this.settlement.settleTerminal(auth.merchantId, id, 'manual');
    return list(batches.map(settlementBatchView), batches.length);
  }
}
