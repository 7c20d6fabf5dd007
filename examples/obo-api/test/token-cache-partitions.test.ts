// The API's in-memory cache partitions: kept until the incoming token expires, least recently used
// dropped first beyond the limit.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { TokenCachePartitions } from "../src/token-cache-partitions.js";

describe("TokenCachePartitions", () => {
  test("returns what was set until the incoming token's expiry, then nothing", () => {
    const p = new TokenCachePartitions();
    p.set("a", "state-a", 1_000, 900);
    assert.equal(p.get("a", 999), "state-a");
    assert.equal(p.get("a", 1_000), undefined);
    assert.equal(p.size, 0, "the expired partition is gone");
    assert.equal(p.get("missing", 0), undefined);
  });

  test("a partition for a token that has already expired is not kept", () => {
    const p = new TokenCachePartitions();
    p.set("a", "state-a", 1_000, 900);
    p.set("a", "newer", 800, 900);
    assert.equal(p.size, 0);
  });

  test("beyond maxEntries the least recently used partition goes", () => {
    const p = new TokenCachePartitions(2);
    p.set("a", "1", 1_000, 0);
    p.set("b", "2", 1_000, 0);
    assert.equal(p.get("a", 0), "1"); // a is now more recent than b
    p.set("c", "3", 1_000, 0);
    assert.equal(p.size, 2);
    assert.equal(p.get("b", 0), undefined);
    assert.equal(p.get("a", 0), "1");
    assert.equal(p.get("c", 0), "3");
  });

  test("maxEntries must be a positive integer", () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => new TokenCachePartitions(bad), RangeError);
  });
});
