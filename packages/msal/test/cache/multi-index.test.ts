import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MultiIndex } from "../../src/cache/multi-index.js";

describe("MultiIndex", () => {
  it("holds one key inline, many in a set, and shrinks back", () => {
    const ix = new MultiIndex();
    assert.deepEqual([...ix.get("a")], []);
    ix.add("a", "k1");
    ix.add("a", "k1");
    assert.deepEqual([...ix.get("a")], ["k1"]);
    ix.add("a", "k2");
    ix.add("a", "k3");
    assert.equal(ix.count("a"), 3);
    assert.equal(ix.has("a", "k2"), true);
    ix.delete("a", "k1");
    ix.delete("a", "k3");
    assert.deepEqual([...ix.get("a")], ["k2"]);
    ix.delete("a", "nope");
    assert.equal(ix.count("a"), 1);
    ix.delete("a", "k2");
    assert.equal(ix.count("a"), 0);
    assert.equal(ix.has("a", "k2"), false);
  });
});
