package dev.unseg.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unseg.jobs.testing.Cli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** unseg bench runs its scenarios end to end on tiny data and prints one line per scenario (no timing checked). */
class BenchCommandTest {
  @TempDir
  Path work;

  @Test
  void printsEveryScenarioAgainstTheFloor() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc = Cli.run(new String[] {"bench", "--jpeg", "3", "--png", "1", "--jpeg-size", "64x48",
        "--png-size", "128x64", "--repeats", "1", "--skip", "spark,djl", "--profile", "--work", work.resolve("b").toString()},
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    String text = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, rc, text + err.toString(StandardCharsets.UTF_8));
    assertTrue(text.contains("profile .jpg"), text);
    for (String scenario : new String[] {"floor", "pipeline", "naive"}) {
      assertTrue(text.lines().anyMatch(l -> l.startsWith(scenario + " ")), scenario + " missing in\n" + text);
    }
    // The Python baselines run where Debian's python3-pil and python3-numpy are (CI installs them).
    boolean python = pythonWithPillowAndNumpy();
    for (String scenario : new String[] {"pillow", "python-naive"}) {
      assertEquals(python, text.lines().anyMatch(l -> l.startsWith(scenario + " ")), scenario + " in\n" + text);
    }
    assertEquals(!python, text.contains("pillow, python-naive: skipped"), text);
    assertTrue(text.contains("x pillow") && text.contains("x py-nv"), text);
  }

  @Test
  void withoutPythonThePythonScenariosAreSkippedSayingWhy() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int rc = Cli.run(new String[] {"bench", "--jpeg", "2", "--png", "0", "--jpeg-size", "32x24", "--repeats", "1",
        "--skip", "spark,djl,pipeline,serial,naive", "--python", work.resolve("no-python").toString(),
        "--work", work.resolve("b").toString()},
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));
    String text = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, rc, text);
    assertTrue(text.contains("pillow, python-naive: skipped: " + work.resolve("no-python") + " not found")
        && text.contains("python3-pil"), text);
    assertTrue(text.lines().anyMatch(l -> l.startsWith("floor ")), text);
    assertTrue(text.lines().noneMatch(l -> l.startsWith("pillow ") || l.startsWith("python-naive ")), text);
  }

  private static boolean pythonWithPillowAndNumpy() throws Exception {
    if (!java.nio.file.Files.isExecutable(Path.of("/usr/bin/python3"))) {
      return false;
    }
    Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import PIL, numpy").redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor() == 0;
  }

  @Test
  void badOptionsNameTheOption() throws Exception {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc = Cli.run(new String[] {"bench", "--threads", "-1"}, new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(2, rc);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("--threads"));
    // A misspelt --skip ran every scenario, the long ones included; skipping all of them printed an empty table.
    for (String[] skip : new String[][] {{"flor", "names 'flor', which is not a scenario: it accepts a comma-separated list"
        + " of floor, pipeline, djl, spark, serial, naive, pillow, python-naive"},
        {"floor,pipeline,djl,spark,serial,naive,pillow,python-naive", "leaves no scenario to run"}}) {
      ByteArrayOutputStream e = new ByteArrayOutputStream();
      assertEquals(2, Cli.run(new String[] {"bench", "--jpeg", "2", "--png", "0", "--skip", skip[0]},
          new PrintStream(new ByteArrayOutputStream()), new PrintStream(e, true, StandardCharsets.UTF_8)));
      assertTrue(e.toString(StandardCharsets.UTF_8).contains("unseg.bench.skip (--skip) " + skip[1]), e.toString(StandardCharsets.UTF_8));
    }
  }
}
