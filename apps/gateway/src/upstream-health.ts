// Is HubSpot usable right now? Observes every call the gateway's HubSpot client makes (through
// the client's `onCall` hook, which knows a timeout from a cancellation) and keeps a state with hysteresis: down after `failuresToDown` consecutive
// failures (network error, timeout, 5xx or 408, 403), at once on a 401 (the credential is refused: no
// retry will help), up again after `successesToUp` consecutive good answers. While down, a cheap
// probe runs every `probeIntervalMs` so recovery is seen without traffic. Drives /readyz and the
// gateway_hubspot_up / gateway_hubspot_down gauges; logs once per transition.
import { isTransientStatus, type HubSpotCall } from '@campaigns/hubspot-client';
import type { Logger } from 'pino';
import type { UpstreamHealthConfig } from './config.js';
import type { GatewayMetrics } from './metrics.js';

export type DownReason = 'unreachable' | 'credentials_refused';

/** What /readyz says for each reason. */
export const DOWN_MESSAGES: Record<DownReason, string> = {
  unreachable: 'HubSpot unreachable',
  credentials_refused: 'HubSpot refused the credentials',
};

export type UpstreamObservation =
  | { kind: 'success' }
  | { kind: 'failure'; reason: DownReason; detail: string; immediate?: boolean }
  /** Says nothing about HubSpot (the caller canceled the request). */
  | { kind: 'neutral' };

export interface UpstreamHealthOptions {
  config: UpstreamHealthConfig;
  /** HUBSPOT_TIMEOUT_MS, named in the log line when calls time out. */
  timeoutMs: number;
  logger: Logger;
  metrics?: GatewayMetrics;
  now?: () => number;
}

export interface UpstreamHealth {
  /** The HubSpot client's `onCall` hook: every call it sent, as it ended. */
  observeCall(call: HubSpotCall): void;
  observe(observation: UpstreamObservation): void;
  /** Undefined while up; the reason /readyz gives while down. */
  problem(): string | undefined;
  state(): { up: boolean; reason?: DownReason; since: number };
  /** The request to repeat while down (e.g. list one campaign with the same credential). */
  setProbe(probe: (signal: AbortSignal) => Promise<unknown>): void;
  /** Stops the probe timer and cancels a running probe. */
  close(): void;
}

/** How an answer from HubSpot counts. */
export function classifyStatus(status: number): UpstreamObservation {
  if (status === 401)
    return { kind: 'failure', reason: 'credentials_refused', detail: 'HTTP 401', immediate: true };
  if (status === 403) return { kind: 'failure', reason: 'credentials_refused', detail: 'HTTP 403' };
  // 5xx and 408: HubSpot failing, the same decision as the client's and the core's retries.
  if (isTransientStatus(status))
    return { kind: 'failure', reason: 'unreachable', detail: `HTTP ${status}` };
  // 2xx, 207, and 4xx such as 400/404/429: HubSpot is there and knows the credential.
  return { kind: 'success' };
}

export function createUpstreamHealth(options: UpstreamHealthOptions): UpstreamHealth {
  const { config, logger, metrics } = options;
  const now = options.now ?? Date.now;
  let up = true;
  let reason: DownReason | undefined;
  let since = now();
  let failures = 0;
  let successes = 0;
  let probe: ((signal: AbortSignal) => Promise<unknown>) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let probing: AbortController | undefined;
  let closed = false;

  function setGauges(): void {
    metrics?.hubspotUp.set(up ? 1 : 0);
    for (const r of Object.keys(DOWN_MESSAGES) as DownReason[])
      metrics?.hubspotDown.set({ reason: r }, !up && reason === r ? 1 : 0);
  }

  function observe(observation: UpstreamObservation): void {
    if (observation.kind === 'neutral') return;
    if (observation.kind === 'success') {
      failures = 0;
      if (up) return;
      successes++;
      if (successes < config.successesToUp) return;
      const downForMs = now() - since;
      up = true;
      reason = undefined;
      since = now();
      successes = 0;
      stopProbing();
      setGauges();
      logger.info(
        { hubspot: { up: true, downForMs } },
        'HubSpot is usable again: /readyz answers 200',
      );
      return;
    }
    successes = 0;
    failures++;
    if (!up) {
      // Already down: the reason follows the latest failure (a token fixed but HubSpot now 5xx).
      if (reason !== observation.reason) {
        reason = observation.reason;
        setGauges();
      }
      return;
    }
    if (!observation.immediate && failures < config.failuresToDown) return;
    up = false;
    reason = observation.reason;
    since = now();
    setGauges();
    logger.error(
      {
        hubspot: {
          up: false,
          reason,
          consecutiveFailures: failures,
          last: observation.detail,
          probeIntervalMs: config.probeIntervalMs,
        },
      },
      `${DOWN_MESSAGES[reason]}: /readyz answers 503 until ${config.successesToUp} consecutive good answers (HUBSPOT_FAILURES_TO_DOWN=${config.failuresToDown}, HUBSPOT_SUCCESSES_TO_UP=${config.successesToUp})`,
    );
    startProbing();
  }

  function startProbing(): void {
    if (closed || timer || !probe) return;
    timer = setInterval(runProbe, config.probeIntervalMs);
    timer.unref();
  }

  function stopProbing(): void {
    if (timer) clearInterval(timer);
    timer = undefined;
  }

  function runProbe(): void {
    if (!probe || probing || up || closed) return;
    const controller = new AbortController();
    probing = controller;
    // The probe goes through the observed fetch: its answer is counted like any other call.
    probe(controller.signal)
      .catch(() => {})
      .finally(() => {
        if (probing === controller) probing = undefined;
      });
  }

  function observeCall(call: HubSpotCall): void {
    observe(classifyCall(call, options.timeoutMs));
  }

  setGauges();
  return {
    observeCall,
    observe,
    problem: () => (up || !reason ? undefined : DOWN_MESSAGES[reason]),
    state: () => ({ up, ...(reason ? { reason } : {}), since }),
    setProbe(fn) {
      probe = fn;
      if (!up) startProbing();
    },
    close() {
      closed = true;
      stopProbing();
      probing?.abort(new Error('the gateway is closing'));
      probing = undefined;
    },
  };
}

/**
 * A call as the client saw it end. A caller's cancellation says nothing about HubSpot (neutral);
 * a timeout (HUBSPOT_TIMEOUT_MS) or a failed connection is HubSpot unreachable.
 */
export function classifyCall(call: HubSpotCall, timeoutMs: number): UpstreamObservation {
  switch (call.outcome) {
    case 'answered':
      return classifyStatus(call.status ?? 0);
    case 'timeout':
      return {
        kind: 'failure',
        reason: 'unreachable',
        detail: `no answer within HUBSPOT_TIMEOUT_MS=${timeoutMs}`,
      };
    case 'network':
      return { kind: 'failure', reason: 'unreachable', detail: 'network error' };
    case 'canceled':
      return { kind: 'neutral' };
  }
}
