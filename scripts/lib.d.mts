import type { ChildProcess } from "node:child_process";

export const root: string;
export function bin(name: string): string;
export function baseEnv(extra?: Record<string, string>): NodeJS.ProcessEnv;
export function run(command: string, args: string[], env?: NodeJS.ProcessEnv): void;
export function start(
  command: string,
  args: string[],
  env?: NodeJS.ProcessEnv,
  name?: string,
  options?: { stdout?: NodeJS.WritableStream },
): ChildProcess & { stop(): void };
export function stopAll(exitCode?: number): void;
export function buildIsFresh(): boolean;
export function buildIfNeeded(): void;
export function waitFor(
  check: () => boolean | Promise<boolean>,
  options: { timeoutMs: number; what: string },
): Promise<void>;
