package dev.unseg.jobs.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Python baselines ({@code python_bench.py}): a plain Pillow loop and a naive numpy protector, run as
 * child processes of Debian's {@code /usr/bin/python3} (python3-pil, python3-numpy) on the same files and
 * thread count as the JVM scenarios. Their CPU time is the child's own, reported by the script.
 */
final class PythonScenarios {
  static final String SCRIPT = "python_bench.py";

  private final Path python;
  private final Path script;
  private final BenchData data;
  private final int threads;

  private PythonScenarios(Path python, Path script, BenchData data, int threads) {
    this.python = python;
    this.script = script;
    this.data = data;
    this.threads = threads;
  }

  /**
   * Why the Python scenarios cannot run with {@code python} (with the fix), or null when they can: the
   * interpreter must exist and import PIL and numpy.
   */
  static String unavailable(Path python) {
    if (!Files.isExecutable(python)) {
      return python + " not found; install python3-pil and python3-numpy (Debian) or pass --python PATH";
    }
    try {
      Process p = new ProcessBuilder(python.toString(), "-c", "import PIL, numpy").redirectErrorStream(true).start();
      String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        return python + " cannot import PIL and numpy (" + lastLine(said)
            + "); install python3-pil and python3-numpy (Debian) or pass --python PATH";
      }
      return null;
    } catch (IOException e) {
      return python + " does not start (" + e.getMessage() + "); pass --python PATH";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted while checking " + python;
    }
  }

  /** Copies the script out of the jar into {@code work}. */
  static PythonScenarios create(Path python, Path work, BenchData data, int threads) throws IOException {
    Path script = work.resolve(SCRIPT);
    try (InputStream in = PythonScenarios.class.getResourceAsStream(SCRIPT)) {
      if (in == null) {
        throw new IllegalStateException(SCRIPT + " is missing from the jobs jar");
      }
      Files.copy(in, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    return new PythonScenarios(python, script, data, threads);
  }

  /**
   * Runs {@code mode} (pillow or python-naive) on {@code files} into {@code out}.
   *
   * @return the child's CPU time in nanoseconds
   */
  long run(String mode, List<String> files, Path out) throws Exception {
    Path listing = Files.createTempFile(out.getParent(), "files-", ".txt");
    try {
      Files.write(listing, files, StandardCharsets.UTF_8);
      Process p = new ProcessBuilder(python.toString(), script.toString(), mode, data.images().toString(),
          data.masks().toString(), out.toString(), String.valueOf(threads), listing.toString())
          .redirectErrorStream(true).start();
      String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int rc = p.waitFor();
      String last = lastLine(said.trim());
      if (rc != 0 || !last.startsWith("cpu_seconds=")) {
        throw new IllegalStateException("the " + mode + " scenario (" + python + " " + script + ") failed with exit "
            + rc + ": " + said.trim());
      }
      return Math.round(Double.parseDouble(last.substring("cpu_seconds=".length())) * 1e9);
    } finally {
      Files.deleteIfExists(listing);
    }
  }

  private static String lastLine(String s) {
    int nl = s.lastIndexOf('\n');
    return nl < 0 ? s : s.substring(nl + 1);
  }
}
