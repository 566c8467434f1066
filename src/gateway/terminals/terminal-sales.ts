import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ValidationError } from '../../platform/errors/errors';
import { CardDetails } from '../payment-details/payment-details';
import { ProcessRequest } from '../transactions/transaction-request';
import { presentedCard } from './card-present';
import { TerminalPaymentRequest } from './terminal-input';
import { TerminalsService } from './terminals.service';

/**
 * The part of POST /api/transaction that runs on a terminal: which processor the sale uses,
 * and what the (sandbox) terminal reads. The transaction path itself stays the one in
 * TransactionsService.
 */
@Injectable()
export class TerminalSales {
  constructor(private readonly terminals: TerminalsService) {}

  /** The request's processor_id, or for a terminal sale the terminal's processor. */
  async processorIdFor(merchantId: string, req: ProcessRequest): Promise<string | null> {
    if (req.paymentMethod.kind !== 'terminal') return req.processorId;
    const terminal = await this.terminals.get(merchantId, req.paymentMethod.terminalId);
    if (
      req.processorId !== null &&
      terminal.processorId !== null &&
      req.processorId !== terminal.processorId
    ) {
      throw new ValidationError(
        'processor_id',
        `does not match the processor of terminal ${terminal.id} (${terminal.processorId}); leave it out`,
      );
    }
    return req.processorId ?? terminal.processorId;
  }

  async present(
    em: EntityManager,
    merchantId: string,
    pm: TerminalPaymentRequest,
    amount: number,
    now: Date,
  ): Promise<{
    card: CardDetails;
    terminal: { id: string; batchNumber: number; processorSpecific: Record<string, unknown> };
  }> {
    const terminal = await this.terminals.lockForSale(em, merchantId, pm.terminalId);
    const { card, entryType } = presentedCard(amount, now, pm.expiration);
    return {
      card,
      terminal: {
        id: terminal.id,
        batchNumber: terminal.openBatchNumber,
        processorSpecific: {
          BatchNum: terminal.openBatchNumber,
          entry_type: entryType,
          TerminalId: terminal.id,
          SerialNumber: terminal.serialNumber,
          RegisterId: terminal.registerId,
          print_receipt: pm.printReceipt,
          signature_required: pm.signatureRequired,
        },
      },
    };
  }
}
