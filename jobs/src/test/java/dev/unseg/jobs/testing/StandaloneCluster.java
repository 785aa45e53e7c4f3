package dev.unseg.jobs.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Spark standalone cluster from the Maven jars, no Spark distribution: one Master and two
 * Workers (1 core, 1 GiB each) as their own JVMs on 127.0.0.1 and free ports. The classpath is
 * what a cluster provides (Spark, Hadoop, S3A) and nothing of ours, so jobs need the shaded jar.
 */
public final class StandaloneCluster implements AutoCloseable {
  public final String classpath;
  public final Map<String, String> env;
  public final String masterUrl;
  private final List<ChildProcess> processes = new ArrayList<>();
  private final List<ChildProcess> workers = new ArrayList<>();
  private final Path dir;

  public StandaloneCluster(Path dir, String classpath, int workers) throws IOException, InterruptedException {
    this.dir = dir;
    this.classpath = classpath;
    Path sparkHome = dir.resolve("spark-home");
    // Workers look for $SPARK_HOME/jars (empty is fine) and take the real classpath from SPARK_DIST_CLASSPATH.
    Files.createDirectories(sparkHome.resolve("jars"));
    env = Map.of("SPARK_HOME", sparkHome.toString(), "SPARK_SCALA_VERSION", "2.12",
        "SPARK_DIST_CLASSPATH", classpath, "SPARK_LOCAL_IP", "127.0.0.1");
    int port = ChildProcess.freePort();
    masterUrl = "spark://127.0.0.1:" + port;
    try {
      ChildProcess master = started(ChildProcess.start("master", ChildProcess.java("256m", classpath,
          "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", String.valueOf(port),
          "--webui-port", String.valueOf(ChildProcess.freePort())), env, dir));
      master.awaitPort(port, Duration.ofSeconds(90));
      master.awaitLog("I have been elected leader", Duration.ofSeconds(60));
      for (int i = 1; i <= workers; i++) {
        Path work = Files.createDirectories(dir.resolve("worker-" + i));
        ChildProcess w = started(ChildProcess.start("worker-" + i, ChildProcess.java("256m", classpath,
            "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--port", String.valueOf(ChildProcess.freePort()),
            "--webui-port", String.valueOf(ChildProcess.freePort()), "--cores", "1", "--memory", "1g",
            "--work-dir", work.toString(), masterUrl), env, dir));
        w.awaitLog("Successfully registered with master", Duration.ofSeconds(90));
        this.workers.add(w);
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      close();
      throw e;
    }
  }

  private ChildProcess started(ChildProcess p) {
    processes.add(p);
    return p;
  }

  /** spark-submit as users run it (client mode): SparkSubmit with the cluster's classpath. */
  public ChildProcess submit(String name, List<String> submitArgs) throws IOException {
    List<String> cmd = ChildProcess.java("1g", classpath, "org.apache.spark.deploy.SparkSubmit", "--master", masterUrl);
    cmd.addAll(submitArgs);
    return started(ChildProcess.start(name, cmd, env, dir));
  }

  /** The executor JVMs (CoarseGrainedExecutorBackend) the Workers have started and that are alive now. */
  public List<ProcessHandle> executors() {
    List<ProcessHandle> found = new ArrayList<>();
    for (ChildProcess w : workers) {
      w.handle().descendants().filter(ProcessHandle::isAlive)
          .filter(h -> commandLine(h).contains("org.apache.spark.executor.CoarseGrainedExecutorBackend"))
          .forEach(found::add);
    }
    return found;
  }

  /**
   * A process's arguments from /proc (Linux): ProcessHandle.info() gives nothing for command lines
   * as long as an executor's (its classpath); empty when the process has gone.
   */
  public static List<String> commandLine(ProcessHandle p) {
    try {
      String raw = new String(Files.readAllBytes(Path.of("/proc", String.valueOf(p.pid()), "cmdline")),
          java.nio.charset.StandardCharsets.UTF_8);
      return raw.isEmpty() ? List.of() : List.of(raw.split("\0"));
    } catch (IOException gone) {
      return List.of();
    }
  }

  /** The stderr of an executor of an application, wherever a Worker ran it (work-dir/app/executor/stderr). */
  public List<Path> executorLogs(String appId, String executorId) {
    List<Path> found = new ArrayList<>();
    for (int i = 1; i <= workers.size(); i++) {
      Path p = dir.resolve("worker-" + i).resolve(appId).resolve(executorId).resolve("stderr");
      if (Files.isRegularFile(p)) {
        found.add(p);
      }
    }
    return found;
  }

  /** Logs of every process, executors' stderr included, for failure messages. */
  public String logs() throws IOException {
    StringBuilder sb = new StringBuilder();
    for (ChildProcess p : processes) {
      sb.append("\n----\n").append(p.tail());
    }
    try (var files = Files.walk(dir)) {
      for (Path f : files.filter(f -> f.getFileName().toString().equals("stderr")).toList()) {
        String s = Files.readString(f, java.nio.charset.StandardCharsets.ISO_8859_1);
        sb.append("\n---- ").append(f).append('\n').append(s.length() > 4000 ? s.substring(s.length() - 4000) : s);
      }
    }
    return sb.toString();
  }

  @Override
  public void close() {
    // Reverse order: drivers, workers (and their executors), then the master.
    for (int i = processes.size() - 1; i >= 0; i--) {
      processes.get(i).close();
    }
  }
}
