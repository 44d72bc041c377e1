// Test helpers shared by the workspace's projects (development dependency only).
export {
  DEFAULT_REDIS_SERVER,
  INSTALL_REDIS_HINT,
  findRedisServer,
  redisServerForTests,
  startRedisServer,
} from './redis-server.js';
export type {
  RedisAvailability,
  RedisServer,
  RedisServerSearch,
  StartRedisOptions,
} from './redis-server.js';
export { executableForTests, findExecutable, runningInCI } from './executable.js';
export type { ExecutableAvailability, ExecutableSearch, RequiredExecutable } from './executable.js';
export { JWKS_PATH, signRs256, startJwtIssuer } from './jwt-issuer.js';
export type { JwtIssuer, JwtIssuerOptions } from './jwt-issuer.js';
