export interface RateLimiter {
  /** Takes one unit for `key`; returns 0 when allowed, else the ms until one is available. */
  take(key: string, at?: number): number;
  reset(key: string): void;
  size(): number;
}

/**
 * Token buckets keyed by string: `perMinute` units refill evenly, bursts up to `burst`.
 * Idle buckets are forgotten so memory stays bounded.
 */
export function createRateLimiter(options: { perMinute: number; burst?: number; maxKeys?: number }): RateLimiter {
  const capacity = options.burst ?? options.perMinute;
  const refillPerMs = options.perMinute / 60_000;
  const maxKeys = options.maxKeys ?? 10_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(key, at = Date.now()) {
      let bucket = buckets.get(key);
      if (!bucket) {
        if (buckets.size >= maxKeys) {
          const oldest = buckets.keys().next().value;
          if (oldest !== undefined) buckets.delete(oldest);
        }
        bucket = { tokens: capacity, at };
        buckets.set(key, bucket);
      }
      bucket.tokens = Math.min(capacity, bucket.tokens + (at - bucket.at) * refillPerMs);
      bucket.at = at;
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return Math.ceil((1 - bucket.tokens) / refillPerMs);
    },
    reset(key) {
      buckets.delete(key);
    },
    size: () => buckets.size,
  };
}
