// emulator.failNextTokenRequests(): the token endpoint's next answers are failures, in order.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createEmulator, defaultTenant } from "../src/index.js";
import type { Emulator } from "../src/index.js";
import { call } from "./support/https.js";

let emu: Emulator;

before(async () => {
  emu = await createEmulator();
});
after(() => emu.close());

const app = defaultTenant.apps[0];
const clientCredentials = () =>
  call(`${emu.authority}/oauth2/v2.0/token`, {
    ca: emu.caCertificate,
    form: { grant_type: "client_credentials", client_id: app.clientId, client_secret: app.secrets[0], scope: "api://orders/.default" },
  });

describe("failNextTokenRequests", () => {
  test("queued failures answer in order before any check, then the endpoint works again", async () => {
    emu.failNextTokenRequests({ count: 2, retryAfter: 2 });
    emu.failNextTokenRequests({ status: 503 });
    emu.failNextTokenRequests({ status: 500, retryAfter: "Wed, 21 Oct 2099 07:28:00 GMT", body: "<html>down</html>" });
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await clientCredentials());
    assert.deepEqual(
      answers.map((r) => [r.status, r.headers["retry-after"]]),
      [[429, "2"], [429, "2"], [503, undefined], [500, "Wed, 21 Oct 2099 07:28:00 GMT"], [200, undefined]],
    );
    const throttled = answers[0]!.json<{ error: string; error_codes: number[]; correlation_id: string }>();
    assert.equal(throttled.error, "temporarily_unavailable");
    assert.deepEqual(throttled.error_codes, [90055]);
    assert.equal(answers[2]!.json<{ error: string }>().error, "server_error");
    assert.equal(answers[3]!.text, "<html>down</html>");
    assert.match(String(answers[3]!.headers["content-type"]), /^text\/plain/);
    assert.equal(emu.tokenRequestCount({ clientId: app.clientId, grantType: "client_credentials", status: 429 }), 2);
  });

  test("bad input is a TypeError", () => {
    for (const bad of [{ count: 0 }, { count: 1.5 }, { status: 200 }, { status: 600 }, { retryAfter: -1 }, { retryAfter: 1.5 }]) {
      assert.throws(() => emu.failNextTokenRequests(bad), TypeError, JSON.stringify(bad));
    }
  });
});
