// CPU time of other processes on this machine (the database server's backends, a portal started by a bench), and
// their process trees, from /proc (Linux).
import { readdirSync, readFileSync } from "node:fs";

/** CPU time (ms, user + system) of each of these processes so far; a process that is gone (or a /proc that is not
 *  there: another machine's server) is left out. */
export function processCpuMs(pids: number[]): Map<number, number> {
  const times = new Map<number, number>();
  for (const pid of pids) {
    try {
      // Fields 14 and 15 of /proc/<pid>/stat (utime, stime), in clock ticks of 10 ms (Linux's USER_HZ = 100).
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      times.set(pid, (Number(fields[11]) + Number(fields[12])) * 10);
    } catch {
      // gone, or not on this machine
    }
  }
  return times;
}

/** The CPU time these processes spent between two readings (a process new in the second counts in full). */
export function cpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, ms] of after) sum += ms - (before.get(pid) ?? 0);
  return sum;
}

/** CPU time (ms, user + system) these processes spent so far, together. */
export function totalCpuMs(pids: number[]): number {
  let sum = 0;
  for (const ms of processCpuMs(pids).values()) sum += ms;
  return sum;
}

/** Every process on this machine: its parent and its command line. */
export function listProcesses(): Array<{ pid: number; ppid: number; cmdline: string }> {
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .flatMap((d) => {
      try {
        const ppid = Number(readFileSync(`/proc/${d}/stat`, "utf8").split(") ")[1]!.split(" ")[1]);
        return [{ pid: Number(d), ppid, cmdline: readFileSync(`/proc/${d}/cmdline`, "utf8").replace(/\0/g, " ") }];
      } catch {
        return [];
      }
    });
}

/** A process and all its descendants. */
export function descendantPids(pid: number): number[] {
  const all = listProcesses();
  const found = [pid];
  for (let i = 0; i < found.length; i++) found.push(...all.filter((p) => p.ppid === found[i]).map((p) => p.pid));
  return found;
}
