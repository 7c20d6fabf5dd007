/**
 * A one-line waiting indicator on stderr: a spinner (and a countdown when there is a deadline) on a
 * terminal, a single plain line otherwise.
 *
 * @module
 */
import { isInteractiveTerminal, tell } from "./io.js";
import type { Io } from "./io.js";

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const FRAME_MS = 100;

/** A running indicator. */
export interface Progress {
  /** Removes the indicator (on a terminal) so the next line starts clean. Safe to call twice. */
  stop(): void;
}

/** `m:ss`, or `h:mm:ss` past an hour. */
export function formatRemaining(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}

/**
 * Shows `text` while something is awaited.
 *
 * @param deadline Epoch milliseconds when the wait ends (a code expires, a timeout fires); shown
 *   as a countdown.
 */
export function startProgress(io: Io, text: string, deadline?: number): Progress {
  const countdown = (): string => (deadline === undefined ? "" : ` (${formatRemaining((deadline - Date.now()) / 1000)} left)`);
  if (!isInteractiveTerminal(io)) {
    tell(io, `${text}${countdown()}...`);
    return { stop() {} };
  }
  let frame = 0;
  const render = (): void => {
    const line = `${FRAMES[frame % FRAMES.length] ?? ""} ${text}${countdown()}`;
    const width = io.stderr.columns ?? 80;
    // Never wrap: a wrapped line cannot be erased with a carriage return.
    io.stderr.write(`\r\u001b[2K${line.length >= width ? line.slice(0, Math.max(0, width - 1)) : line}`);
    frame++;
  };
  render();
  const timer = setInterval(render, FRAME_MS);
  timer.unref();
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      io.stderr.write("\r\u001b[2K");
    },
  };
}
