package dev.unseg.pipeline.generator.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without the pytorch-native and pytorch-jni jars (and with an empty DJL cache, so an earlier
 * extraction cannot help), loading must fail fast in offline mode with a message naming the jars.
 */
class MissingNativeLibraryTest {
  @Test
  void failsFastNamingTheJars(@TempDir Path cache) throws Exception {
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    String stripped = Arrays.stream(cp.split(File.pathSeparator))
        .filter(e -> !e.contains("pytorch-native-") && !e.contains("pytorch-jni"))
        .collect(Collectors.joining(File.pathSeparator));
    assertTrue(stripped.contains("pytorch-engine"), "classpath should still hold the engine: " + stripped);
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", stripped,
        LoadProbe.class.getName(), FixtureInputs.resource("fixture_generator.pt").toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("DJL_CACHE_DIR", cache.resolve("djl").toString());
    pb.environment().put("ENGINE_CACHE_DIR", cache.resolve("engine").toString());
    pb.environment().remove("PYTORCH_LIBRARY_PATH");
    pb.environment().remove("PYTORCH_VERSION");
    pb.environment().remove("PYTORCH_FLAVOR");
    long t0 = System.nanoTime();
    Process p = pb.start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the load must fail fast, not wait on a download");
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    System.out.printf("missing native jars: failed after %.1f s%n", (System.nanoTime() - t0) / 1e9);
    assertEquals(3, p.exitValue(), out);
    assertTrue(out.contains("ai.djl.pytorch:pytorch-native-cpu:2.5.1:linux-x86_64"), out);
    assertTrue(out.contains("pytorch-jni"), out);
    assertTrue(out.contains("PYTORCH_LIBRARY_PATH"), out);
    assertTrue(out.contains("fixture_generator.pt"), out);
    try (var files = Files.walk(cache)) {
      assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith("libtorch")), "nothing may be downloaded");
    }
  }
}
