import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { MerchantSetup } from '../../accounts/merchant-setup';
import { Clock, CLOCK } from '../../platform/clock/clock';
import { FieldCipher } from '../../platform/crypto/field-cipher';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors/errors';
import { newId } from '../../platform/ids/ids';
import { ProcessorsService } from '../../processors/processors.service';
import { Body } from '../../platform/http/input';
import { Terminal } from './terminal.entity';
import { parseTerminalFields, TerminalFields } from './terminal-input';

/**
 * Terminals: Rebill's own create / update / disable API (the spec only lists them), and the
 * one sandbox terminal every merchant starts with. Terminals are never deleted: transactions
 * and settlement batches keep pointing at them.
 */
@Injectable()
export class TerminalsService implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly cipher: FieldCipher,
    private readonly processors: ProcessorsService,
    private readonly merchantSetup: MerchantSetup,
  ) {}

  onModuleInit(): void {
    this.merchantSetup.register({
      onMerchantCreated: async (em, merchant) => {
        await this.insert(em, merchant.id, {
          manufacturer: 'rebill',
          model: 'sandbox',
          serialNumber: `SBX${newId().slice(0, 10).toUpperCase()}`,
          description: 'Sandbox terminal',
        });
      },
    });
  }

  async list(merchantId: string): Promise<Terminal[]> {
    return this.dataSource
      .getRepository(Terminal)
      .find({ where: { merchantId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  async get(merchantId: string, id: string, em?: EntityManager): Promise<Terminal> {
    const found = await (em ?? this.dataSource.manager)
      .getRepository(Terminal)
      .findOneBy({ merchantId, id });
    if (!found) throw new NotFoundError('terminal', id);
    return found;
  }

  async create(merchantId: string, body: Body): Promise<Terminal> {
    const fields = parseTerminalFields(body, 'create');
    await this.assertProcessor(merchantId, fields.processorId);
    return this.insert(this.dataSource.manager, merchantId, fields);
  }

  async update(merchantId: string, id: string, body: Body): Promise<Terminal> {
    const fields = parseTerminalFields(body, 'update');
    await this.assertProcessor(merchantId, fields.processorId);
    return this.dataSource.transaction(async (em) => {
      const terminal = await em
        .getRepository(Terminal)
        .findOne({ where: { merchantId, id }, lock: { mode: 'pessimistic_write' } });
      if (!terminal) throw new NotFoundError('terminal', id);
      this.apply(terminal, fields);
      terminal.updatedAt = this.clock.now();
      await this.save(em, terminal);
      return terminal;
    });
  }

  /** A disabled terminal takes no new transactions; its open batch can still be settled. */
  async disable(merchantId: string, id: string): Promise<Terminal> {
    return this.update(merchantId, id, { status: 'disabled' });
  }

  /**
   * The terminal a sale runs on, locked FOR SHARE: settlement locks it FOR UPDATE, so a sale
   * either joins the open batch before it closes or waits and joins the next one, and the
   * BatchNum it answers is always the batch it settles in.
   */
  async lockForSale(em: EntityManager, merchantId: string, id: string): Promise<Terminal> {
    const terminal = await em
      .getRepository(Terminal)
      .findOne({ where: { merchantId, id }, lock: { mode: 'pessimistic_read' } });
    if (!terminal) throw new NotFoundError('terminal', id);
    if (terminal.status !== 'active') {
      throw new ConflictError(`terminal ${id} is disabled: enable it or use another terminal`);
    }
    return terminal;
  }

  private async insert(em: EntityManager, merchantId: string, fields: TerminalFields) {
    const now = this.clock.now();
    const terminal = Object.assign(new Terminal(), {
      id: newId(),
      merchantId,
      processorId: null,
      manufacturer: 'rebill',
      model: 'sandbox',
      serialNumber: '',
      tpn: '',
      description: '',
      status: 'active',
      authKeySealed: null,
      authKeyMasked: '',
      registerId: '',
      autoSettle: true,
      settleAt: '00:00:00',
      openBatchNumber: 1,
      lastSettledAt: null,
      createdAt: now,
      updatedAt: now,
    } satisfies Terminal);
    this.apply(terminal, fields);
    await this.save(em, terminal, 'insert');
    return terminal;
  }

  private apply(t: Terminal, f: TerminalFields): void {
    if (f.manufacturer !== undefined) t.manufacturer = f.manufacturer;
    if (f.model !== undefined) t.model = f.model;
    if (f.serialNumber !== undefined) t.serialNumber = f.serialNumber;
    if (f.tpn !== undefined) t.tpn = f.tpn;
    if (f.description !== undefined) t.description = f.description;
    if (f.registerId !== undefined) t.registerId = f.registerId;
    if (f.autoSettle !== undefined) t.autoSettle = f.autoSettle;
    if (f.settleAt !== undefined) t.settleAt = f.settleAt;
    if (f.processorId !== undefined) t.processorId = f.processorId;
    if (f.status !== undefined) t.status = f.status;
    if (f.authKey !== undefined) {
      t.authKeySealed =
        f.authKey === ''
          ? null
          : this.cipher.encrypt(f.authKey, `terminals.auth_key:${t.merchantId}`);
      t.authKeyMasked = maskAuthKey(f.authKey);
    }
  }

  private async save(em: EntityManager, t: Terminal, mode: 'insert' | 'save' = 'save') {
    try {
      if (mode === 'insert') await em.getRepository(Terminal).insert(t);
      else await em.getRepository(Terminal).save(t);
    } catch (err) {
      if (
        err instanceof QueryFailedError &&
        (err.driverError as { code?: string })?.code === '23505'
      ) {
        throw new ConflictError(`a terminal with serial_number ${t.serialNumber} already exists`);
      }
      throw err;
    }
  }

  private async assertProcessor(merchantId: string, processorId: string | null | undefined) {
    if (processorId === undefined || processorId === null) return;
    let processor;
    try {
      processor = await this.processors.resolve(merchantId, processorId);
    } catch (err) {
      if (err instanceof NotFoundError) {
        throw new ValidationError('processor_id', `no processor ${processorId}`);
      }
      throw err;
    }
    if (processor.gatewayKind !== 'sandbox') {
      throw new ValidationError(
        'processor_id',
        'must be a sandbox processor: Rebill simulates terminals in its sandbox',
      );
    }
  }
}

/** The first and last two characters, as much as a person needs to tell keys apart. */
export function maskAuthKey(key: string): string {
  if (key === '') return '';
  if (key.length < 8) return '****';
  return `${key.slice(0, 2)}****${key.slice(-2)}`;
}
