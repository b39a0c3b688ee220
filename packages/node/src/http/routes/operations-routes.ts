/** Open operational endpoints: liveness, readiness, Prometheus metrics. */
import type { RouteRegistrar } from './services.ts';

export const registerOperationsRoutes: RouteRegistrar = (app, services) => {
  app.get('/healthz', { config: { operation: 'Health', access: 'open', summary: 'The process is alive.' } }, async () => ({ status: 'ok', region: services.region }));

  app.get('/readyz', { config: { operation: 'Ready', access: 'open', summary: 'Storage is open and the node serves.' } }, async (_request, reply) => {
    const ready = services.isReady();
    reply.code(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not ready', region: services.region, lifecycle: services.lifecycle.started ? 'running' : 'stopped' };
  });

  app.get('/metrics', { config: { operation: 'Metrics', access: 'open', summary: 'Prometheus metrics.' } }, async (_request, reply) => {
    reply.header('content-type', services.metrics.registry.contentType);
    return services.metrics.registry.metrics();
  });
};
