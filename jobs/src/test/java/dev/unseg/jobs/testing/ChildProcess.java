package dev.unseg.jobs.testing;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A JVM (or other process) the tests start themselves: output goes to a log file the test can
 * show on failure; close() ends it and every process it started, even when the test failed.
 */
public final class ChildProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Path log;

  private ChildProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  public static ChildProcess start(String name, List<String> command, Map<String, String> env, Path logDir) throws IOException {
    Files.createDirectories(logDir);
    Path log = logDir.resolve(name + ".log");
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    return new ChildProcess(name, pb.start(), log);
  }

  /** java with Spark's --add-opens (the test JVM has them in unseg.test.add-opens), a small heap, and the classpath. */
  public static List<String> java(String heap, String classpath, String... rest) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    String opens = System.getProperty("unseg.test.add-opens", "");
    if (!opens.isBlank()) {
      cmd.addAll(Arrays.asList(opens.trim().split("\\s+")));
    }
    cmd.add("-Xmx" + heap);
    if (classpath != null) {
      cmd.add("-cp");
      cmd.add(classpath);
    }
    cmd.addAll(Arrays.asList(rest));
    return cmd;
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  /** Waits until something accepts connections on 127.0.0.1:port, failing fast if the process died. */
  public void awaitPort(int port, Duration timeout) throws IOException, InterruptedException {
    Instant end = Instant.now().plus(timeout);
    while (Instant.now().isBefore(end)) {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited with " + process.exitValue() + " before listening:\n" + tail());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return;
      } catch (IOException notYet) {
        Thread.sleep(200);
      }
    }
    throw new IllegalStateException(name + " did not listen on " + port + " within " + timeout + ":\n" + tail());
  }

  /** Waits until the log contains text (e.g. a worker registered). */
  public void awaitLog(String text, Duration timeout) throws IOException, InterruptedException {
    Instant end = Instant.now().plus(timeout);
    while (Instant.now().isBefore(end)) {
      if (Files.exists(log) && Files.readString(log, StandardCharsets.ISO_8859_1).contains(text)) {
        return;
      }
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + tail());
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(name + ": no '" + text + "' in its log within " + timeout + ":\n" + tail());
  }

  /** Waits for the process to end and returns its exit code; kills it after the timeout. */
  public int waitFor(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
      close();
      return -1;
    }
    return process.exitValue();
  }

  /** The process itself, e.g. to find the JVMs it started (a Worker's executors). */
  public ProcessHandle handle() {
    return process.toHandle();
  }

  public String log() throws IOException {
    return Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
  }

  public String tail() throws IOException {
    String s = log();
    return s.length() > 6000 ? "..." + s.substring(s.length() - 6000) : s;
  }

  public static String classpathOf(Path classpathFile) throws IOException {
    if (!Files.isRegularFile(classpathFile)) {
      throw new IllegalStateException(classpathFile + " is missing: run the *IT tests through 'mvn verify' (it is written at package)");
    }
    return Files.readString(classpathFile).trim().replace("\n", File.pathSeparator);
  }

  @Override
  public void close() {
    // Children first (a Worker's executors), then the process itself.
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
