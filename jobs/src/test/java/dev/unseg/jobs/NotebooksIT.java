package dev.unseg.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Executes every notebook of {@code notebooks/} with Jupyter's nbconvert, as a user would run them
 * (through {@code bin/unseg}, which the package phase has built), and fails on any cell's error.
 * Executed copies land in {@code jobs/target/notebooks/}. Needs Debian's jupyter-nbconvert,
 * python3-ipykernel, python3-pandas, python3-matplotlib and python3-pil (.ci/run installs them).
 */
class NotebooksIT {
  static final Path NOTEBOOKS = Paths.get("..", "notebooks").toAbsolutePath().normalize();

  @Test
  void everyNotebookRunsWithoutError() throws Exception {
    List<Path> notebooks;
    try (Stream<Path> s = Files.list(NOTEBOOKS)) {
      notebooks = s.filter(p -> p.toString().endsWith(".ipynb")).sorted().toList();
    }
    assertEquals(4, notebooks.size(), "the notebooks: " + notebooks);
    Path executed = Files.createDirectories(Paths.get("target", "notebooks").toAbsolutePath());
    for (Path nb : notebooks) {
      Path log = executed.resolve(nb.getFileName() + ".log");
      long start = System.nanoTime();
      Process p = new ProcessBuilder("jupyter", "nbconvert", "--to", "notebook", "--execute",
          "--ExecutePreprocessor.timeout=600", "--output-dir", executed.toString(), nb.toString())
          .directory(NOTEBOOKS.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      boolean ended = p.waitFor(15, TimeUnit.MINUTES);
      if (!ended) {
        p.destroyForcibly();
      }
      String out = Files.readString(log, StandardCharsets.UTF_8);
      assertTrue(ended, nb.getFileName() + " did not finish in 15 minutes:\n" + out);
      assertEquals(0, p.exitValue(), nb.getFileName() + " failed:\n" + out);
      assertTrue(Files.isRegularFile(executed.resolve(nb.getFileName())), out);
      // bin/unseg's console as the notebooks print it (stdout and stderr): protect's own lines, without the
      // JVM's notice of the Vector API module, which the launcher drops.
      String cells = Files.readString(executed.resolve(nb.getFileName()), StandardCharsets.UTF_8);
      assertFalse(cells.contains("WARNING: Using incubator modules"), nb.getFileName() + " shows Java's module notice");
      if (nb.getFileName().toString().startsWith("01_")) {
        assertTrue(cells.contains("unseg: JPEG codec: "), "protect's console line on stderr in " + nb.getFileName());
      }
      System.out.printf("NotebooksIT: %s ran in %.0f s%n", nb.getFileName(), (System.nanoTime() - start) / 1e9);
    }
  }
}
