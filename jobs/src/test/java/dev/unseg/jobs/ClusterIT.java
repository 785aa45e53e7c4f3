package dev.unseg.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unseg.jobs.testing.ChildProcess;
import dev.unseg.jobs.testing.Cli;
import dev.unseg.jobs.testing.Datasets;
import dev.unseg.jobs.testing.StandaloneCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded job jar submitted with SparkSubmit to a real standalone cluster (a Master and two
 * Workers, separate JVMs) gives the same bytes as a local[*] run of the same input and settings:
 * every protected image, copied annotation and mask, and the manifest row for row except the
 * columns that describe the run itself. Runs after package (it needs the shaded jar).
 */
class ClusterIT {
  static final Path TARGET = Paths.get("target").toAbsolutePath();
  /** Columns that differ between two runs of the same input by nature: timings and task identity. */
  static final Set<String> RUN_COLUMNS = Set.of("run_id", "stage_id", "partition_id", "task_attempt",
      "prepare_ms", "generate_ms", "finish_ms", "finished_at");

  @TempDir Path tmp;

  @Test
  void shadedJarOnAStandaloneClusterMatchesALocalRun() throws Exception {
    Path shaded = shadedJar();
    Path ade = Cli.SAMPLES.resolve("ade20k");
    List<String> common = List.of("--format", "ade20k", "--images", ade.resolve("images").toString(),
        "--annotations", ade.resolve("annotations").toString(), "--write-masks", "--key", "cluster-it-key",
        "--run-id", "cluster-it", "--partitions", "3", "--conf", "spark.ui.enabled=false",
        "--conf", "unseg.run.progress-interval=0");

    Path localOut = tmp.resolve("local-out");
    List<String> local = new ArrayList<>(List.of("protect", "--master", "local[2]", "--output", localOut.toString()));
    local.addAll(common);
    Cli.Run run = Cli.runCli(local.toArray(String[]::new));
    assertEquals(0, run.code(), run.err());

    Path clusterOut = tmp.resolve("cluster-out");
    try (StandaloneCluster cluster = new StandaloneCluster(tmp.resolve("cluster"),
        ChildProcess.classpathOf(TARGET.resolve("cluster.classpath")), 2)) {
      List<String> submit = new ArrayList<>(List.of("--deploy-mode", "client", "--conf", "spark.executor.memory=768m",
          "--conf", "spark.executor.cores=1", "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.ui.enabled=false",
          "--class", "dev.unseg.jobs.cli.UnsegCli", shaded.toString(), "protect", "--output", clusterOut.toString()));
      submit.addAll(common);
      ChildProcess driver = cluster.submit("spark-submit", submit);
      int code = driver.waitFor(Duration.ofMinutes(6));
      assertEquals(0, code, "spark-submit failed:" + cluster.logs());
      String driverLog = driver.log();
      assertTrue(driverLog.contains("3 images: 3 protected"), driverLog);
      // The work ran on the cluster's executors, not in the driver.
      assertTrue(driverLog.contains("Granted executor ID") || driverLog.contains("Executor added"), driverLog);
    }

    // Same files, byte for byte, except the manifest parts, records and the summary (compared below). The
    // local run composited with the SIMD loop (Maven gives this JVM the Vector API module), the executors,
    // started without it, with the scalar one.
    Map<String, Path> localFiles = files(localOut);
    Map<String, Path> clusterFiles = files(clusterOut);
    assertEquals(localFiles.keySet(), clusterFiles.keySet());
    assertEquals(3, localFiles.keySet().stream().filter(k -> k.startsWith("images/") && k.endsWith(".jpg")
        && !k.contains("/.")).count(), localFiles.keySet().toString());
    for (String rel : localFiles.keySet()) {
      // Datasets.contentHash: the run spec names its own output, so that key is left out of the comparison.
      assertEquals(Datasets.contentHash(rel, Files.readAllBytes(localFiles.get(rel))),
          Datasets.contentHash(rel, Files.readAllBytes(clusterFiles.get(rel))), rel);
    }

    Map<String, JsonNode> localRows = rows(localOut);
    Map<String, JsonNode> clusterRows = rows(clusterOut);
    assertEquals(3, localRows.size());
    assertEquals(localRows, clusterRows);

    JsonNode ls = Cli.JSON.readTree(localOut.resolve("_unseg/summary.json").toFile());
    JsonNode cs = Cli.JSON.readTree(clusterOut.resolve("_unseg/summary.json").toFile());
    for (String field : List.of("success", "entries", "manifest_rows", "status", "errors", "bytes_in", "bytes_out",
        "eps", "eps_bg", "generators")) {
      assertEquals(ls.get(field), cs.get(field), field);
    }
    // The shaded jar's manifest names the build that protected the release.
    assertTrue(cs.get("unseg_version").asText().matches("\\d+\\.\\d+\\.\\d+.*"), cs.toString());
  }

  static Path shadedJar() throws Exception {
    try (Stream<Path> s = Files.list(TARGET)) {
      return s.filter(p -> p.getFileName().toString().matches("unseg-jobs-.*-spark\\.jar")).findFirst()
          .orElseThrow(() -> new IllegalStateException("no shaded jar in " + TARGET + ": run through 'mvn verify'"));
    }
  }

  /**
   * Every output file by relative path (Hadoop's .crc files too), except the manifest parts, the
   * per-task records (they hold timings; their rows are compared through the manifest), the summary and
   * report.html (run id, times, output location); the report's pictures are compared.
   */
  static Map<String, Path> files(Path root) throws Exception {
    Map<String, Path> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        String rel = root.relativize(p).toString().replace('\\', '/');
        if (!rel.startsWith("_unseg/manifest/") && !rel.startsWith("_unseg/records/") && !rel.equals("_unseg/summary.json")
            && !rel.equals("_unseg/.summary.json.crc") && !rel.equals("_unseg/report.html")) {
          m.put(rel, p);
        }
      }
    }
    return m;
  }

  /** Manifest rows by input path, without the run-specific columns. */
  static Map<String, JsonNode> rows(Path output) throws Exception {
    Map<String, JsonNode> m = new TreeMap<>();
    for (JsonNode row : Cli.inspectRows(output)) {
      ObjectNode r = ((ObjectNode) row).deepCopy();
      RUN_COLUMNS.forEach(r::remove);
      m.put(r.get("input_path").asText(), r);
    }
    return m;
  }
}
