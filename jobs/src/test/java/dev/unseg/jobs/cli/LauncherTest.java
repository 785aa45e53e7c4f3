package dev.unseg.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/unseg on a machine that lacks what it needs: one line saying what to install, exit 2. */
class LauncherTest {
  private static final Path LAUNCHER = Path.of("..", "bin", "unseg").toAbsolutePath().normalize();

  @TempDir Path tmp;

  @Test
  void withoutJavaOrMavenItSaysWhatToInstall() throws Exception {
    Path bin = Files.createDirectories(tmp.resolve("bin")); // the tools the launcher uses, and java, but no mvn
    for (String tool : List.of("dirname", "find", "cat", "id")) {
      Files.createSymbolicLink(bin.resolve(tool), which(tool));
    }
    Files.createSymbolicLink(bin.resolve("java"), Path.of(System.getProperty("java.home"), "bin", "java"));

    Run noMaven = launch(Map.of("PATH", bin.toString(), "UNSEG_REBUILD", "1"));
    assertEquals(2, noMaven.code(), noMaven.err());
    assertTrue(noMaven.err().contains("Maven (mvn) is not installed: install Maven"), noMaven.err());

    Run noJava = launch(Map.of("PATH", bin.toString(), "JAVA_HOME", tmp.resolve("no-jdk").toString()));
    assertEquals(2, noJava.code(), noJava.err());
    assertTrue(noJava.err().contains("no Java found") && noJava.err().contains("install a JDK 17"), noJava.err());
  }

  private record Run(int code, String err) {}

  private static Run launch(Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("/bin/bash", LAUNCHER.toString(), "--version");
    pb.environment().clear();
    pb.environment().putAll(env);
    Process p = pb.redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "bin/unseg did not end");
    return new Run(p.exitValue(), err);
  }

  private static Path which(String tool) {
    for (String dir : System.getenv("PATH").split(":")) {
      Path candidate = Path.of(dir, tool);
      if (Files.isExecutable(candidate)) {
        return candidate.toAbsolutePath();
      }
    }
    throw new IllegalStateException(tool + " is not on PATH");
  }
}
