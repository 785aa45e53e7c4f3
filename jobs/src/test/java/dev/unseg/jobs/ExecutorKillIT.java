package dev.unseg.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unseg.jobs.testing.ChildProcess;
import dev.unseg.jobs.testing.Cli;
import dev.unseg.jobs.testing.Datasets;
import dev.unseg.jobs.testing.StandaloneCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6 on a real standalone cluster: the shaded jar protects 300 images in 60 tasks over two
 * single-core executors; once tasks have published their records, one executor JVM that is running
 * a task is killed with SIGKILL (another, at most 3 in all, when the task ended before the kill). The run still ends with exit 0 and _SUCCESS, its images, copied
 * masks and eps masks are byte-identical to a fault-free local[*] run, and the manifest has exactly
 * one row per image, equal to the local run's except the run-specific columns; no temporary file is
 * left, and `unseg verify --originals` passes.
 */
class ExecutorKillIT {
  static final int IMAGES = 300;

  @TempDir Path tmp;

  @Test
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void killedExecutorRunEqualsAFaultFreeRun() throws Exception {
    Path shaded = ClusterIT.shadedJar();
    Path data = tmp.resolve("data");
    Datasets.dataset(data, 0, IMAGES, 64);
    List<String> settings = List.of("--key", "executor-kill-key", "--conf", "unseg.partitions.size=5",
        "--conf", "unseg.pipeline.threads=1", "--conf", "spark.ui.enabled=false", "--conf", "unseg.run.progress-interval=0");

    Path reference = tmp.resolve("reference");
    List<String> local = new ArrayList<>(List.of("protect"));
    local.addAll(List.of(Datasets.protectArgs(data, reference, "--master", "local[*]", "--run-id", "reference")));
    local.addAll(settings);
    Cli.Run run = Cli.runCli(local.toArray(String[]::new));
    assertEquals(0, run.code(), run.err());

    Path out = tmp.resolve("cluster-out");
    Path records = out.resolve("_unseg/records");
    String killed;
    String driverLog;
    try (StandaloneCluster cluster = new StandaloneCluster(tmp.resolve("cluster"),
        ChildProcess.classpathOf(ClusterIT.TARGET.resolve("cluster.classpath")), 2)) {
      List<String> submit = new ArrayList<>(List.of("--deploy-mode", "client", "--conf", "spark.executor.memory=768m",
          "--conf", "spark.executor.cores=1", "--conf", "spark.driver.host=127.0.0.1",
          "--class", "dev.unseg.jobs.cli.UnsegCli", shaded.toString(), "protect"));
      submit.addAll(List.of(Datasets.protectArgs(data, out, "--run-id", "killed-executor")));
      submit.addAll(settings);
      ChildProcess driver = cluster.submit("spark-submit", submit);

      // Wait until tasks have published their records (the protect stage is under way) ...
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
      while (recordFiles(records) < 2 && driver.handle().isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertTrue(recordFiles(records) >= 2, "no task records within 3 minutes:" + cluster.logs());
      // ... then SIGKILL an executor JVM that is running a task right now. Its task can end between our
      // reading its log and the kill (tasks of 5 small images are short); the driver then loses no task,
      // so kill another, at most 6 times (three in a row once cut none), until the driver's log shows a kill cut a
      // running task short.
      long recordsAtKill = recordFiles(records);
      killed = null;
      for (int attempt = 1; attempt <= 6 && (killed == null || !lostARunningTask(driver.log(), killed)); attempt++) {
        ProcessHandle victim = null;
        while (victim == null && driver.handle().isAlive() && System.nanoTime() < deadline) {
          for (ProcessHandle e : cluster.executors()) {
            if (runningTasks(cluster, e) > 0) {
              victim = e;
              break;
            }
          }
          if (victim == null) {
            Thread.sleep(5);
          }
        }
        assertTrue(victim != null, "no executor with a running task found:" + cluster.logs());
        killed = argument(victim, "--executor-id");
        assertFalse(Files.exists(out.resolve("_SUCCESS")), "the run must still be going when the executor is killed");
        if (attempt == 1) {
          recordsAtKill = recordFiles(records);
        }
        assertTrue(victim.destroyForcibly(), "SIGKILL executor " + killed);
        assertTrue(victim.onExit().get(30, TimeUnit.SECONDS) != null && !victim.isAlive());
        System.out.println("ExecutorKillIT: SIGKILL executor " + killed + " (pid " + victim.pid() + ") with "
            + recordFiles(records) + " of 60 task records published");
        driver.awaitLog("Lost executor " + killed + " ", Duration.ofSeconds(30));
        Thread.sleep(1000); // the lost tasks are logged right after the lost executor
      }
      int code = driver.waitFor(Duration.ofMinutes(4));
      driverLog = driver.log();
      assertEquals(0, code, "spark-submit failed after executor " + killed + " was killed:" + cluster.logs());
      assertTrue(recordsAtKill < IMAGES / 5, "executor killed with " + recordsAtKill + " of 60 task records published");
      // The driver saw the executor die with a task on it, and rescheduled that task.
      assertTrue(lostARunningTask(driverLog, killed), driverLog);
      assertTrue(driverLog.contains(IMAGES + " images"), driverLog);
    }

    assertTrue(Files.exists(out.resolve("_SUCCESS")));
    Map<String, String> expected = Datasets.contentTree(reference);
    assertEquals(IMAGES * 3 + 1 + 2 + 4 * 4, expected.size(), "images, copied masks, eps masks, settings.json, report pictures");
    assertEquals(expected, Datasets.contentTree(out), "outputs byte-identical to the fault-free local run");
    List<JsonNode> rows = Cli.inspectRows(out); // asserts one row per input path
    assertEquals(IMAGES, rows.size());
    assertEquals(Datasets.stableManifest(reference), Datasets.stableManifest(out));
    for (JsonNode r : rows) {
      assertEquals("killed-executor", r.get("run_id").asText());
    }
    // unseg verify: every output's SHA-256 against its row, every entry has a row, every image within its bound.
    Cli.Run verify = Cli.runCli(new String[] {"verify", "--output", out.toString(),
        "--originals", data.resolve("images").toString(), "--master", "local[2]", "--conf", "spark.ui.enabled=false"});
    assertEquals(0, verify.code(), verify.out() + verify.err());
    assertTrue(verify.out().contains(IMAGES + " manifest rows"), verify.out());
    // No partial file left under a temporary name by the write the kill cut short.
    try (Stream<Path> all = Files.walk(out)) {
      List<Path> temps = all.filter(f -> f.getFileName().toString().startsWith("._unseg_tmp_")).toList();
      assertEquals(List.of(), temps, "temporary files left after executor " + killed + " was killed");
    }
  }

  private static boolean lostARunningTask(String driverLog, String executorId) {
    return driverLog.contains("ExecutorLostFailure (executor " + executorId + " exited");
  }

  /** Tasks the executor has started and not finished, from its own log (work/<app>/<id>/stderr). */
  private static long runningTasks(StandaloneCluster cluster, ProcessHandle executor) throws Exception {
    String id = argument(executor, "--executor-id");
    String app = argument(executor, "--app-id");
    if (id == null || app == null) {
      return 0;
    }
    long running = 0;
    for (Path stderr : cluster.executorLogs(app, id)) {
      String log = Files.readString(stderr, StandardCharsets.ISO_8859_1);
      running += count(log, "Executor: Running task ") - count(log, "Executor: Finished task ");
    }
    return running;
  }

  private static long count(String text, String what) {
    long n = 0;
    for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }

  private static String argument(ProcessHandle p, String name) {
    List<String> args = StandaloneCluster.commandLine(p);
    for (int i = 0; i + 1 < args.size(); i++) {
      if (args.get(i).equals(name)) {
        return args.get(i + 1);
      }
    }
    return null;
  }

  private static long recordFiles(Path dir) throws Exception {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json") && !n.startsWith(".")).count();
    }
  }
}
