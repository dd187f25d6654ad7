import type { Config } from '../config/env.ts';
import type { CoreApi, Sender } from '../core/ports.ts';
import type { HttpServer } from '../http/server.ts';
import type { KnowledgeBase } from '../kb/knowledge-base.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { ServicePart } from '../service.ts';

/** What every channel adapter is given when `solodesk start` builds it. */
export interface ChannelContext {
  config: Config;
  core: CoreApi;
  kb: KnowledgeBase;
  http: HttpServer;
  logger: Logger;
  metrics: Metrics;
}

/** What a channel adapter gives back: its lifecycle, and the senders it delivers outbox rows with. */
export interface ChannelParts {
  part: ServicePart;
  senders: Sender[];
}
