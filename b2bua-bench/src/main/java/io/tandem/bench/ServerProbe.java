package io.tandem.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a load driver reads of the Tandem process it loads: its CPU time from /proc and its
 * heap after a full GC through jcmd (the same way as {@link OptionsLoad}).
 */
final class ServerProbe {
  /** The used heap as G1 and Parallel ("total 2097152K, used 10741K"), Shenandoah ("417829K used") and ZGC ("used 280M") print it. */
  private static final Pattern HEAP_USED = Pattern.compile("total \\d+K, used (\\d+)K|(\\d+)K used|used (\\d+)M");
  /** USER_HZ: the unit of /proc/PID/stat times, 100 on Linux. */
  private static final double TICKS_PER_SECOND = 100.0;

  private final long pid;

  ServerProbe(long pid) {
    this.pid = pid;
  }

  /** The process's user + system CPU time so far, in seconds (proc(5), fields 14 and 15). */
  double cpuSeconds() throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
  }

  /** The used heap in KB after a full GC (jcmd GC.run, then GC.heap_info). */
  long heapAfterGcKb() throws IOException, InterruptedException {
    jcmd("GC.run");
    String info = jcmd("GC.heap_info");
    Matcher m = HEAP_USED.matcher(info);
    if (!m.find()) {
      throw new IllegalStateException("cannot read the heap from jcmd GC.heap_info:\n" + info);
    }
    if (m.group(1) != null) {
      return Long.parseLong(m.group(1));
    }
    return m.group(2) != null ? Long.parseLong(m.group(2)) : Long.parseLong(m.group(3)) * 1024;
  }

  private String jcmd(String command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("jcmd", Long.toString(pid), command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("jcmd " + command + " failed:\n" + out);
    }
    return out;
  }

  /** How many lines of a log file contain {@code text}. */
  /** Lines holding {@code text} in a file, or in every file of a directory (CDR files rotate by day). */
  static long countLines(Path path, String text) throws IOException {
    if (Files.isDirectory(path)) {
      long n = 0;
      try (var files = Files.list(path)) {
        for (Path file : (Iterable<Path>) files::iterator) {
          n += countLines(file, text);
        }
      }
      return n;
    }
    try (var lines = Files.lines(path, StandardCharsets.ISO_8859_1)) {
      return lines.filter(l -> l.contains(text)).count();
    }
  }
}
