export {
  Kanri,
  newIdempotencyKey,
  type CallOptions,
  type Data,
  type InitArgs,
  type ItemOf,
  type KanriOptions,
  type ListPath,
  type Method,
  type Paths,
  type PathsWith,
} from "./client.js";
export {
  AuthenticationError,
  BadRequest,
  Conflict,
  ConnectionError,
  KanriError,
  NotFound,
  PaymentRequired,
  PermissionDenied,
  RateLimited,
  ServerError,
  ValidationError,
  errorFromResponse,
  type FieldError,
  type Problem,
} from "./errors.js";
export { IDEMPOTENT_OPERATIONS } from "./operations.js";
export { Paginator, paginate, type Page, type PageFetcher } from "./pagination.js";
export { DEFAULT_POLICY, backoffMs, retryingFetch, type Fetch, type RetryPolicy } from "./retry.js";
export type { components, operations, paths } from "./schema.js";
