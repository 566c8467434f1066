import { AccountsService } from '../accounts/accounts.service';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { localDateInZone } from '../billing-calc/calendar';
import { Clock, CLOCK } from '../platform/clock/clock';
import { BillingRepository } from './billing.repository';
import { BillingRunService } from './billing-run.service';

const SCHEDULER_LOCK = 727200002;

/**
 * Starts the nightly run for each merchant once its local time passes its run time
 * (default 02:00). Every five minutes one instance (a PostgreSQL advisory lock decides
 * which) looks for merchants whose run for today has not happened yet. The run itself
 * scales across workers on its own.
 */
@Injectable()
export class BillingSchedulerService {
  private readonly logger = new Logger(BillingSchedulerService.name);

  constructor(
    private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly billing: BillingRunService,
    private readonly repository: BillingRepository,
    private readonly accounts: AccountsService,
  ) {}

  @Cron('0 */5 * * * *')
  async tick(): Promise<number> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [
        SCHEDULER_LOCK,
      ]);
      if (!locked) return 0;
      try {
        return await this.startDueRuns();
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [SCHEDULER_LOCK]);
      }
    } catch (err) {
      this.logger.error({ err }, 'billing scheduler tick failed');
      return 0;
    } finally {
      await runner.release();
    }
  }

  /** Runs today's billing for every merchant (or those given) whose local run time has passed. */
  async startDueRuns(only?: { merchantIds: string[] }): Promise<number> {
    const now = this.clock.now();
    const merchants = await this.accounts.merchantTimeZones(only?.merchantIds ?? null);
    const runTimes = await this.repository.runTimes(merchants.map((m) => m.id));
    let started = 0;
    for (const m of merchants) {
      const today = localDateInZone(now, m.timezone);
      const localTime = new Intl.DateTimeFormat('en-GB', {
        timeZone: m.timezone,
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }).format(now);
      if (localTime < (runTimes.get(m.id) ?? '02:00')) continue;
      if (await this.repository.scheduledRunExists(m.id, today)) continue;
      await this.billing.run({ asOf: today, merchantId: m.id, triggeredBy: 'scheduler' });
      started++;
    }
    return started;
  }
}
