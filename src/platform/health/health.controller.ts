import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { NoAuth } from '../auth/auth.decorators';
import { Route } from '../http/route-schema';
import { metricsRegistry } from '../metrics/metrics';
import { HEALTH_ROUTES } from './health.routes';

@ApiTags('system')
@Controller()
@NoAuth()
export class HealthController {
  constructor(private readonly dataSource: DataSource) {}

  /** Checks that the database answers. */
  @Get('health')
  @Route(HEALTH_ROUTES.health)
  async health(@Res() reply: FastifyReply): Promise<void> {
    try {
      await this.dataSource.query('SELECT 1');
      await reply.status(200).send({ status: 'success', msg: 'ok', data: { database: 'ok' } });
    } catch {
      await reply.status(503).send({ status: 'failed', msg: 'database unavailable' });
    }
  }

  @Get('metrics')
  @Route(HEALTH_ROUTES.metrics)
  @Header('content-type', 'text/plain; version=0.0.4')
  async metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}
