// Shutdown without dropping work. Draining is an Apollo plugin (the `drainServer` hook, as in
// ApolloServerPluginDrainHttpServer), so `apollo.stop()` drains before Apollo stops, and then
// closes the listeners. What Apollo's own plugin would do differently is done here at the HTTP
// level: GraphQL requests are counted in and out, new ones are refused (503) once draining starts,
// idle keep-alive connections are closed, and after the grace period the running operations are
// canceled through `signal` (they answer with what they finished) instead of their sockets being
// destroyed.
import type { Server } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from 'pino';
import type { GatewayMetrics } from './metrics.js';

export interface DrainOptions {
  logger: Logger;
  metrics: GatewayMetrics;
  /** SHUTDOWN_GRACE_MS: how long in-flight requests may run once draining has started. */
  graceMs: number;
}

export class Drain {
  readonly #options: DrainOptions;
  readonly #shutdown = new AbortController();
  readonly #started = new AbortController();
  #draining = false;
  #inflight = 0;
  #idle: (() => void) | undefined;
  #drained: Promise<void> | undefined;
  #server: Server | undefined;

  constructor(options: DrainOptions) {
    this.#options = options;
  }

  /** Aborted when the grace period is over: running operations stop and answer CANCELED. */
  get signal(): AbortSignal {
    return this.#shutdown.signal;
  }

  /** True from the first drain() on: new GraphQL requests get 503 and /readyz turns 503. */
  get draining(): boolean {
    return this.#draining;
  }

  /** Aborted when draining starts: open progress streams end then (stream/handler.ts). */
  get drainingSignal(): AbortSignal {
    return this.#started.signal;
  }

  /** The listening server, whose idle connections close when draining starts. */
  attach(server: Server): void {
    this.#server = server;
  }

  /** Counts a GraphQL request in; call the returned function once, when it has been answered. */
  enter(): () => void {
    this.#inflight++;
    this.#options.metrics.inflight.inc();
    return () => {
      this.#inflight--;
      this.#options.metrics.inflight.dec();
      if (this.#inflight === 0) this.#idle?.();
    };
  }

  /**
   * Stops taking GraphQL requests and resolves when the in-flight ones are answered; after
   * `graceMs` (default SHUTDOWN_GRACE_MS) running operations are canceled. Idempotent.
   */
  drain(options: { graceMs?: number } = {}): Promise<void> {
    const { logger } = this.#options;
    this.#draining = true;
    this.#started.abort();
    this.#drained ??= (async () => {
      this.#server?.closeIdleConnections();
      if (this.#inflight > 0) {
        const graceMs = options.graceMs ?? this.#options.graceMs;
        logger.info(
          { inflight: this.#inflight, graceMs },
          'draining: waiting for in-flight requests',
        );
        const done = new Promise<void>((resolve) => (this.#idle = resolve));
        const timer = setTimeout(() => {
          logger.warn(
            { inflight: this.#inflight },
            'shutdown grace period over: canceling running operations',
          );
          this.#shutdown.abort(new Error('the gateway is shutting down'));
        }, graceMs);
        await done;
        clearTimeout(timer);
      }
      logger.info('drained: no request in flight');
    })();
    return this.#drained;
  }

  /**
   * The Apollo plugin: `apollo.stop()` drains, then runs `closeListeners`. It does nothing
   * before attach(), so a start that failed before listening stops Apollo without draining.
   */
  plugin(closeListeners: () => Promise<void>): ApolloServerPlugin {
    return {
      serverWillStart: async () => ({
        drainServer: async () => {
          if (!this.#server) return;
          await this.drain();
          await closeListeners();
        },
      }),
    };
  }
}
