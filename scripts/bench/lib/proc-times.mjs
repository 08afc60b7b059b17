// A process's CPU times from /proc/<pid>/stat. Plain JavaScript, so the Deno benchmark and the
// Node engine drivers read them the same way.
import fs from "node:fs";

/** Clock ticks per second of /proc/<pid>/stat's times (sysconf(_SC_CLK_TCK); 100 on Linux). */
const CLK_TCK = 100;

/**
 * @param {number | string} pid
 * @returns {{ ppid: number, self: number, children: number } | null} utime + stime (self) and
 *   cutime + cstime (reaped children) in ms, or null when the process has exited
 */
export function procTimes(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // the command name (field 2) is in parentheses and may hold spaces: split after its last ")"
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ms = (i) => (Number(f[i]) * 1000) / CLK_TCK;
    // f[0] is field 3 (state): ppid is field 4, utime..cstime fields 14..17
    return { ppid: Number(f[1]), self: ms(11) + ms(12), children: ms(13) + ms(14) };
  } catch {
    return null;
  }
}
