// msal-ts in a real terminal (a detached tmux session): the device code message, the waiting
// indicator, and Ctrl-C ending the wait cleanly.
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { NODE_ARGS, ROOT, commandEnv, startAuthority } from "./support.js";
import type { TestAuthority } from "./support.js";

const exec = promisify(execFile);
const haveTmux = spawnSync("tmux", ["-V"]).status === 0;
/** A server of the tests' own, so no one's tmux sessions are touched. */
const SOCKET = `msal-ts-cli-test-${process.pid}`;
const SESSION = "msal-ts";

/** Single-quotes a word for bash. */
function sh(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

async function tmux(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await exec("tmux", ["-L", SOCKET, ...args], env ? { env } : {});
  return stdout;
}

/** The pane's text, wrapped lines joined. */
function pane(): Promise<string> {
  return tmux(["capture-pane", "-p", "-J", "-t", SESSION]);
}

/** Resolves with the pane's text once it matches; fails with the text if it never does. */
async function waitForPane(pattern: RegExp): Promise<string> {
  let text = "";
  for (let i = 0; i < 200; i++) {
    text = await pane();
    if (pattern.test(text)) return text;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`the terminal never showed ${pattern}:\n${text}`);
}

describe("msal-ts in a terminal", { skip: haveTmux ? false : "tmux is not installed" }, () => {
  let t: TestAuthority;

  before(async () => {
    t = await startAuthority();
  });
  after(async () => {
    await tmux(["kill-server"]).catch(() => "");
    await t.emu.close();
  });

  test("login --device-code shows the message and a countdown; Ctrl-C exits 130 without a trace", async () => {
    const cache = join(t.dir, "terminal-cache.json");
    // As the emulator command suggests it: a loopback authority needs no instance discovery.
    const flags = ["--authority", t.emu.authority, "--ca-file", t.caPath];
    const command = [process.execPath, ...NODE_ARGS, "login", "--device-code", ...flags].map(sh).join(" ");
    // bash keeps running after Ctrl-C (the trap) to report the exit code; the command itself gets
    // the signal as it would in any shell.
    const script = `cd ${sh(ROOT)} && trap true INT; ${command}; echo "[exit $?]"; sleep 600`;
    await tmux(["new-session", "-d", "-s", SESSION, "-x", "200", "-y", "40", "bash", "-c", script], commandEnv({ MSAL_TS_CACHE: cache }));

    const shown = await waitForPane(/Waiting for you to sign in/);
    const message = /To sign in, use a web browser to open the page (https:\/\/\S+) and enter the code (\S+) to authenticate\./.exec(shown);
    assert.ok(message, `the device code message:\n${shown}`);
    assert.equal(new URL(message[1] ?? "").host, new URL(t.emu.authority).host);
    assert.match(message[2] ?? "", /^[A-Z0-9-]{6,}$/);
    // On a terminal the indicator is one line redrawn in place (a spinner and a countdown), not "...".
    assert.match(shown, /^\S Waiting for you to sign in \(\d+:\d\d left\)\s*$/m);

    await tmux(["send-keys", "-t", SESSION, "C-c"]);
    const ended = await waitForPane(/\[exit \d+\]/);
    assert.match(ended, /\[exit 130\]/);
    assert.match(ended, /^msal-ts: cancelled$/m);
    assert.doesNotMatch(ended, /^\s+at /m, "no stack trace");
    assert.doesNotMatch(ended, /Error/);
    assert.doesNotMatch(ended, /Waiting for you to sign in/, "the indicator was cleared");
    assert.equal(existsSync(cache), false, "no cache was written");
  });
});
