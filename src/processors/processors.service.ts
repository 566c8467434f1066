import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { sealGatewayApiKey } from '../gateway/gateway-credentials';
import { Clock, CLOCK } from '../platform/clock/clock';
import { ChangeNotifications, InvalidatingCache } from '../platform/database/change-notifications';
import { APP_CONFIG, AppConfig } from '../platform/config/config';
import { FieldCipher } from '../platform/crypto/field-cipher';
import { ConflictError, NotFoundError, ValidationError } from '../platform/errors/errors';
import { newId } from '../platform/ids/ids';
import { assertPublicHttpUrl } from '../platform/net/outbound-guard';
import { assertProcessorSettings, ProcessorSettings } from '../billing-calc';
import { FeeProgram, Processor } from './processor.entity';

const FEE_PROGRAMS: FeeProgram[] = [
  'none',
  'surcharge',
  'cash_discount',
  'dual_pricing',
  'dual_pricing_v2',
];

/** A merchant's processors: tax and fee settings for the calculation core, and the gateway to charge through. */
@Injectable()
export class ProcessorsService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly cipher: FieldCipher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    changes: ChangeNotifications,
  ) {
    this.settingsCache = changes.cache('rebill_processors');
  }

  /** Calculation settings by merchant and processor id, cleared on any change of processors. */
  private readonly settingsCache: InvalidatingCache<ProcessorSettings>;

  /**
   * The calculation core's settings of the named processor (or the merchant's default), from
   * an in-process cache that every change of the processors table clears (in any process).
   */
  async settingsFor(merchantId: string, processorId?: string | null): Promise<ProcessorSettings> {
    const key = `${merchantId}:${processorId ?? ''}`;
    const cached = this.settingsCache.get(key);
    if (cached) return cached;
    const ticket = this.settingsCache.ticket();
    const settings = toProcessorSettings(await this.resolve(merchantId, processorId));
    this.settingsCache.set(key, settings, ticket);
    return settings;
  }

  /**
   * The named processor, or the merchant's default when no id is given. `field` names the
   * body field the id came from: an unknown id there is a 400 naming it (docs/api-compatibility.md,
   * "Unknown ids"); without it (an id in the path) a 404.
   */
  async resolve(
    merchantId: string,
    processorId?: string | null,
    em?: EntityManager,
    field?: string,
  ): Promise<Processor> {
    const repo = (em ?? this.dataSource.manager).getRepository(Processor);
    if (processorId !== undefined && processorId !== null && processorId !== '') {
      if (typeof processorId !== 'string')
        throw new ValidationError('processor_id', 'must be a string');
      const found = await repo.findOneBy({ merchantId, id: processorId });
      if (!found && field !== undefined) {
        throw new ValidationError(field, `processor ${processorId} does not exist`);
      }
      if (!found) throw new NotFoundError('processor', processorId);
      return found;
    }
    const fallback = await repo.findOneBy({ merchantId, isDefault: true });
    if (fallback) return fallback;
    return this.createDefault(merchantId, em);
  }

  /**
   * For a batch: each (merchant, processor id or null for the default) resolved, in one query
   * (plus the creation of a missing default). Keys are `merchantId|processorId-or-empty`;
   * an unknown processor id is absent from the map.
   */
  async resolveMany(
    em: EntityManager,
    refs: readonly { merchantId: string; processorId: string | null }[],
  ): Promise<Map<string, Processor>> {
    const out = new Map<string, Processor>();
    if (refs.length === 0) return out;
    const merchants = [...new Set(refs.map((r) => r.merchantId))];
    const ids = [...new Set(refs.flatMap((r) => (r.processorId ? [r.processorId] : [])))];
    const rows: Processor[] = await em
      .getRepository(Processor)
      .createQueryBuilder('p')
      .where('p.merchant_id = ANY(:merchants) AND (p.id = ANY(:ids) OR p.is_default)', {
        merchants,
        ids,
      })
      .getMany();
    for (const r of refs) {
      const key = `${r.merchantId}|${r.processorId ?? ''}`;
      if (out.has(key)) continue;
      let found = rows.find(
        (p) =>
          p.merchantId === r.merchantId && (r.processorId ? p.id === r.processorId : p.isDefault),
      );
      if (!found && !r.processorId) found = await this.createDefault(r.merchantId, em);
      if (found) out.set(key, found);
    }
    return out;
  }

  /** Every merchant starts with a default processor on the sandbox gateway, with no fees. */
  async createDefault(merchantId: string, em?: EntityManager): Promise<Processor> {
    const manager = em ?? this.dataSource.manager;
    const now = this.clock.now();
    await manager
      .createQueryBuilder()
      .insert()
      .into(Processor)
      .values({
        id: newId(),
        merchantId,
        name: 'Sandbox',
        isDefault: true,
        ...noFeesOnSandbox(now),
      })
      .orIgnore() // a concurrent request created it first (one default per merchant)
      .execute();
    const created = await manager
      .getRepository(Processor)
      .findOneBy({ merchantId, isDefault: true });
    if (!created) throw new Error('default processor was not created');
    return created;
  }

  async list(merchantId: string): Promise<Processor[]> {
    await this.resolve(merchantId); // make sure the default exists
    return this.dataSource
      .getRepository(Processor)
      .find({ where: { merchantId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  async create(merchantId: string, body: Record<string, unknown>): Promise<Processor> {
    if (typeof body.name !== 'string' || body.name.trim() === '') {
      throw new ValidationError('name', 'is required and must be a non-empty string');
    }
    if (body.name.trim().length > PROCESSOR_NAME_MAX) {
      throw new ValidationError('name', `must be at most ${PROCESSOR_NAME_MAX} characters`);
    }
    const now = this.clock.now();
    const processor = this.dataSource.getRepository(Processor).create({
      id: newId(),
      merchantId,
      name: body.name.trim(),
      isDefault: false,
      ...noFeesOnSandbox(now),
    });
    applySettings(processor, body, this.config.outboundAllowPrivate);
    this.applyGatewayApiKey(processor, body);
    await this.resolve(merchantId);
    return this.dataSource.transaction(async (em) => {
      if (body.is_default === true) {
        await em.update(Processor, { merchantId, isDefault: true }, { isDefault: false });
        processor.isDefault = true;
      }
      await em.save(processor);
      return processor;
    });
  }

  async update(merchantId: string, id: string, body: Record<string, unknown>): Promise<Processor> {
    return this.dataSource.transaction(async (em) => {
      const processor = await em
        .getRepository(Processor)
        .findOne({ where: { merchantId, id }, lock: { mode: 'pessimistic_write' } });
      if (!processor) throw new NotFoundError('processor', id);
      applySettings(processor, body, this.config.outboundAllowPrivate);
      this.applyGatewayApiKey(processor, body);
      if (body.is_default === true && !processor.isDefault) {
        await em.update(Processor, { merchantId, isDefault: true }, { isDefault: false });
        processor.isDefault = true;
      } else if (body.is_default === false && processor.isDefault) {
        throw new ConflictError(
          'is_default: make another processor the default instead of unsetting this one',
        );
      }
      processor.updatedAt = this.clock.now();
      await em.save(processor);
      return processor;
    });
  }

  /** An http gateway's API key is sealed at rest and never shown again. */
  private applyGatewayApiKey(p: Processor, body: Record<string, unknown>): void {
    const gateway = body.gateway as { api_key?: unknown } | undefined;
    if (gateway === undefined || gateway === null || gateway.api_key === undefined) return;
    if (p.gatewayKind !== 'http')
      throw new ValidationError('gateway.api_key', 'is only used by an http gateway');
    if (
      typeof gateway.api_key !== 'string' ||
      gateway.api_key.length < 8 ||
      gateway.api_key.length > 512
    ) {
      throw new ValidationError(
        'gateway.api_key',
        'must be the gateway API key: a string of 8 to 512 characters',
      );
    }
    p.gatewayApiKeyEncrypted = sealGatewayApiKey(this.cipher, p.merchantId, gateway.api_key);
  }

  async delete(merchantId: string, id: string): Promise<void> {
    const processor = await this.dataSource.getRepository(Processor).findOneBy({ merchantId, id });
    if (!processor) throw new NotFoundError('processor', id);
    if (processor.isDefault)
      throw new ConflictError(
        'the default processor cannot be deleted; make another one the default first',
      );
    await this.dataSource.getRepository(Processor).delete({ merchantId, id });
  }
}

/** The longest processor name: it is shown in every list and on dashboards. */
const PROCESSOR_NAME_MAX = 255;

/** A processor's settings before any are given: the sandbox gateway, no tax, no fees. */
function noFeesOnSandbox(now: Date) {
  return {
    defaultTaxRate: 0,
    addTaxToTotal: false,
    serviceFeeType: null,
    serviceFeeValue: null,
    feeProgram: 'none' as const,
    feeProgramRate: 0,
    feeProgramCap: null,
    surchargeFallbackRate: null,
    surchargeDisclosure: null,
    gatewayKind: 'sandbox' as const,
    gatewayBaseUrl: null,
    gatewayApiKeyEncrypted: null,
    createdAt: now,
    updatedAt: now,
  };
}

function thousandths(
  body: Record<string, unknown>,
  field: string,
  nullable: boolean,
): number | null | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (value === null && nullable) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 100000) {
    throw new ValidationError(
      field,
      'must be an integer percentage in thousandths from 0 to 100000 (3000 = 3.000%)',
    );
  }
  return value;
}

/** Validates and applies the settable fields; anything absent keeps its value. */
function applySettings(
  p: Processor,
  body: Record<string, unknown>,
  outboundAllowPrivate: boolean,
): void {
  if (body.name !== undefined) {
    if (typeof body.name !== 'string' || body.name.trim() === '')
      throw new ValidationError('name', 'must be a non-empty string');
    if (body.name.trim().length > PROCESSOR_NAME_MAX)
      throw new ValidationError('name', `must be at most ${PROCESSOR_NAME_MAX} characters`);
    p.name = body.name.trim();
  }
  if (body.is_default !== undefined && typeof body.is_default !== 'boolean') {
    throw new ValidationError('is_default', 'must be a boolean');
  }
  const tax = thousandths(body, 'default_tax_rate', false);
  if (tax !== undefined && tax !== null) p.defaultTaxRate = tax;
  if (body.add_tax_to_total !== undefined) {
    if (typeof body.add_tax_to_total !== 'boolean')
      throw new ValidationError('add_tax_to_total', 'must be a boolean');
    p.addTaxToTotal = body.add_tax_to_total;
  }
  if (body.service_fee !== undefined) {
    const fee = body.service_fee;
    if (fee === null) {
      p.serviceFeeType = null;
      p.serviceFeeValue = null;
    } else {
      if (typeof fee !== 'object' || Array.isArray(fee))
        throw new ValidationError(
          'service_fee',
          'must be {"type": "flat"|"percentage", "value": integer} or null',
        );
      const { type, value } = fee as { type?: unknown; value?: unknown };
      if (type !== 'flat' && type !== 'percentage')
        throw new ValidationError('service_fee.type', 'must be "flat" or "percentage"');
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
        throw new ValidationError(
          'service_fee.value',
          'must be a non-negative integer (cents, or thousandths for a percentage)',
        );
      }
      if (type === 'percentage' && value > 100000)
        throw new ValidationError('service_fee.value', 'must be at most 100000 (100.000%)');
      p.serviceFeeType = type;
      p.serviceFeeValue = value;
    }
  }
  if (body.fee_program !== undefined) {
    if (
      typeof body.fee_program !== 'string' ||
      !FEE_PROGRAMS.includes(body.fee_program as FeeProgram)
    ) {
      throw new ValidationError('fee_program', `must be one of ${FEE_PROGRAMS.join(', ')}`);
    }
    p.feeProgram = body.fee_program as FeeProgram;
  }
  const rate = thousandths(body, 'fee_program_rate', false);
  if (rate !== undefined && rate !== null) p.feeProgramRate = rate;
  const cap = thousandths(body, 'fee_program_cap', true);
  if (cap !== undefined) p.feeProgramCap = cap;
  const fallback = thousandths(body, 'surcharge_fallback_rate', true);
  if (fallback !== undefined) p.surchargeFallbackRate = fallback;
  if (body.surcharge_disclosure !== undefined) {
    if (body.surcharge_disclosure !== null && typeof body.surcharge_disclosure !== 'string') {
      throw new ValidationError('surcharge_disclosure', 'must be a string or null');
    }
    if (typeof body.surcharge_disclosure === 'string' && body.surcharge_disclosure.length > 2000) {
      throw new ValidationError('surcharge_disclosure', 'must be at most 2000 characters');
    }
    p.surchargeDisclosure = body.surcharge_disclosure as string | null;
  }
  if (body.gateway !== undefined) {
    const g = body.gateway as { kind?: unknown; base_url?: unknown } | null;
    if (g === null || typeof g !== 'object' || Array.isArray(g))
      throw new ValidationError('gateway', 'must be an object');
    if (g.kind !== 'sandbox' && g.kind !== 'http')
      throw new ValidationError('gateway.kind', 'must be "sandbox" or "http"');
    if (g.kind === 'http') {
      if (
        typeof g.base_url !== 'string' ||
        g.base_url.length > 2048 ||
        !/^https?:\/\/[^\s]+$/.test(g.base_url)
      ) {
        throw new ValidationError(
          'gateway.base_url',
          'must be an http(s) URL of at most 2048 characters for an http gateway',
        );
      }
      // Loopback, link-local and private addresses are refused (the guard checks again when connecting).
      assertPublicHttpUrl(g.base_url, 'gateway.base_url', outboundAllowPrivate);
      p.gatewayBaseUrl = g.base_url.replace(/\/+$/, '');
    } else {
      p.gatewayBaseUrl = null;
      p.gatewayApiKeyEncrypted = null;
    }
    p.gatewayKind = g.kind;
  }
}

export function processorView(p: Processor) {
  return {
    id: p.id,
    name: p.name,
    is_default: p.isDefault,
    default_tax_rate: p.defaultTaxRate,
    add_tax_to_total: p.addTaxToTotal,
    service_fee:
      p.serviceFeeType === null ? null : { type: p.serviceFeeType, value: p.serviceFeeValue },
    fee_program: p.feeProgram,
    fee_program_rate: p.feeProgramRate,
    fee_program_cap: p.feeProgramCap,
    surcharge_fallback_rate: p.surchargeFallbackRate,
    surcharge_disclosure: p.surchargeDisclosure,
    gateway: {
      kind: p.gatewayKind,
      base_url: p.gatewayBaseUrl,
      api_key_set: p.gatewayApiKeyEncrypted !== null,
    },
    created_at: p.createdAt.toISOString(),
    updated_at: p.updatedAt.toISOString(),
  };
}

/** The calculation core's view of a stored processor. */
export function toProcessorSettings(p: Processor): ProcessorSettings {
  return assertProcessorSettings({
    id: p.id,
    default_tax_rate_thousandths: p.defaultTaxRate,
    add_tax_to_total: p.addTaxToTotal,
    service_fee:
      p.serviceFeeType === null || p.serviceFeeValue === null
        ? null
        : { type: p.serviceFeeType, value: p.serviceFeeValue },
    fee_program: p.feeProgram,
    fee_program_rate_thousandths: p.feeProgramRate,
    fee_program_cap_thousandths: p.feeProgramCap,
    surcharge_fallback_thousandths: p.surchargeFallbackRate,
    surcharge_disclosure_text: p.surchargeDisclosure,
  });
}
