import { Output, route, Success, Type } from '../http/route-schema';

export const HEALTH_ROUTES = {
  health: route({
    summary: 'Health: the database answers',
    auth: 'none',
    responses: { 200: Success(Output({ database: Type.Literal('ok') })) },
    errors: [503],
    examples: { response: { status: 'success', msg: 'ok', data: { database: 'ok' } } },
  }),
  metrics: route({
    summary: 'Prometheus metrics',
    auth: 'none',
    produces: 'text/plain',
    responses: { 200: Type.String({ description: 'Prometheus text exposition format 0.0.4' }) },
  }),
};
