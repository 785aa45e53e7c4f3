package dev.unseg.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.s3.AmazonS3;
import com.fasterxml.jackson.databind.JsonNode;
import dev.unseg.jobs.io.Storage;
import dev.unseg.jobs.testing.Cli;
import dev.unseg.jobs.testing.Datasets;
import dev.unseg.jobs.testing.FaultyTcpProxy;
import dev.unseg.jobs.testing.LogCapture;
import dev.unseg.jobs.testing.S3ProxyServer;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Object store faults: S3A talks to S3Proxy through {@link FaultyTcpProxy}, which drops
 * connections, answers HTTP 503 SlowDown and cuts responses mid-stream. The protect run either
 * completes (S3A retries, Spark retries tasks) or stops cleanly and --resume completes it; either
 * way the output holds the objects of a clean run, byte for byte, one manifest row per image, and
 * no half-published or temporary object. A second test scripts the two store failures that used
 * to end in a successful run with an image missing (a failed row) or a label map copied empty.
 */
class S3FaultTest {
  static final String BUCKET = "faults";
  static final long SEED = 6_2024L;
  static final int FAULT_PERCENT = 10;
  static final int MAX_FAULTS = 40;
  static final int IMAGES = 3;

  @TempDir Path tmp;

  @AfterEach
  void closeCachedFileSystems() throws Exception {
    FileSystem.closeAll(); // S3A instances are cached per bucket, with the endpoint they were made with
  }

  @Test
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void faultsInTheObjectStoreEndInTheOutputsOfACleanRun() throws Exception {
    Path samples = Cli.SAMPLES.resolve("ade20k");
    try (S3ProxyServer s3 = new S3ProxyServer(tmp.resolve("s3proxy"))) {
      AmazonS3 sdk = withSamples(s3, samples);

      // The clean run, straight to S3Proxy.
      long t0 = System.nanoTime();
      Cli.Run clean = Cli.runCli(protect("clean", s3.s3aConf(), "--run-id", "clean", "--master", "local[2]"));
      assertEquals(0, clean.code(), clean.err() + "\nS3Proxy log:\n" + s3.log());
      long cleanMillis = millisSince(t0);
      Map<String, String> expected = S3ResumeTest.contentTree(S3ResumeTest.objects(sdk, BUCKET, "released/clean/"), "released/clean/");
      // Report pictures: 2 charts and 4 per sample image (unseg.report.samples = 4, at most the images).
      assertEquals(IMAGES * 3 + 1 + 2 + 4 * Math.min(4, IMAGES), expected.size(),
          "images, label maps, eps masks, settings.json, report pictures: " + expected.keySet());
      S3ResumeTest.inspect("s3a://" + BUCKET + "/released/clean/", s3.s3aConf(), IMAGES);
      FileSystem.closeAll(); // the cached S3A instance goes to S3Proxy directly

      // The same run through the faulty proxy (local[2,4]: a failed task is tried up to 4 times). A
      // run that stops is resumed through the proxy; if that stops too, once more straight to S3Proxy.
      Map<FaultyTcpProxy.Fault, Integer> faults;
      String traffic;
      String trace;
      List<String> outcome = new ArrayList<>();
      Cli.Run run;
      long t1 = System.nanoTime();
      try (FaultyTcpProxy proxy = new FaultyTcpProxy(s3.port,
          FaultyTcpProxy.seeded(SEED, FAULT_PERCENT, MAX_FAULTS), Duration.ofMinutes(5))) {
        List<String> conf = throughProxy(s3, proxy.endpoint());
        run = Cli.runCli(protect("faulty", conf, "--run-id", "faulty", "--master", "local[2,4]"));
        outcome.add(outcome("run", run));
        if (run.code() != 0) {
          assertStopped(run, sdk);
          run = Cli.runCli(protect("faulty", conf, "--run-id", "resumed", "--master", "local[2,4]", "--resume",
              "--conf", "unseg.run.lease-expiry=1s"));
          outcome.add(outcome("--resume through the proxy", run));
        }
        faults = proxy.injected();
        traffic = proxy.stats();
        trace = proxy.trace();
      }
      if (run.code() != 0) {
        assertStopped(run, sdk);
        FileSystem.closeAll(); // the cached S3A instance went through the proxy, now closed
        run = Cli.runCli(protect("faulty", s3.s3aConf(), "--run-id", "resumed-directly", "--master", "local[2]",
            "--resume", "--conf", "unseg.run.lease-expiry=1s"));
        outcome.add(outcome("--resume straight to S3Proxy", run));
      }
      long faultyMillis = millisSince(t1);
      System.out.printf("S3FaultTest: clean run %d ms; faulty run %d ms: %s; proxy: %s; faulted requests:%n%s%n",
          cleanMillis, faultyMillis, outcome, traffic, trace);
      assertEquals(0, run.code(), "the run completes: " + outcome + "\n" + run.out() + run.err() + "\nS3Proxy log:\n" + s3.log());

      checkOutput(s3, sdk, "released/faulty/", expected, samples);

      // The faults really happened, every kind, and no more than the schedule allows.
      for (FaultyTcpProxy.Fault kind : FaultyTcpProxy.Fault.values()) {
        assertTrue(faults.get(kind) > 0, kind + " was injected: " + faults);
      }
      assertTrue(faults.values().stream().mapToInt(Integer::intValue).sum() <= MAX_FAULTS, faults.toString());
    }
  }

  /**
   * Store failures, scripted: S3A gives up reading an image (503 SlowDown on every try), and a label
   * map's GET is cut inside its response headers (S3A then ends the stream early, without an error).
   * Neither may become a failed image, a short copy, or a success without the object: the task
   * fails, Spark tries it again, and the run completes. Then, once _SUCCESS is written, the store
   * refuses every request for the lease: the finished run stays finished (exit 0), and the console
   * says the lease is left to expire.
   */
  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void storeFailuresInATaskRetryTheTaskInsteadOfFailingImages() throws Exception {
    Path samples = Cli.SAMPLES.resolve("ade20k");
    try (S3ProxyServer s3 = new S3ProxyServer(tmp.resolve("s3proxy"))) {
      AmazonS3 sdk = withSamples(s3, samples);
      String image = "GET /" + BUCKET + "/raw/ade20k/images/validation/ADE_val_00000002.jpg ";
      String label = "GET /" + BUCKET + "/raw/ade20k/annotations/validation/ADE_val_00000003.png ";
      String success = "PUT /" + BUCKET + "/released/scripted/_SUCCESS ";
      String lease = "/" + BUCKET + "/released/scripted/_unseg/lease.json ";
      boolean[] finished = {false};
      int[] leaseRefused = {0};
      Map<String, Integer> gets = new java.util.HashMap<>();
      FaultyTcpProxy.Schedule script = line -> {
        finished[0] |= line.startsWith(success);
        if (finished[0] && line.contains(lease) && leaseRefused[0] < 40) {
          leaseRefused[0]++;
          return new FaultyTcpProxy.Decision(FaultyTcpProxy.Fault.SLOW_DOWN, 0);
        }
        String key = line.startsWith(image) ? image : line.startsWith(label) ? label : null;
        int n = key == null ? 0 : gets.merge(key, 1, Integer::sum);
        if (image.equals(key) && n <= 3) { // every try S3A makes (retry.throttle.limit = 2)
          return new FaultyTcpProxy.Decision(FaultyTcpProxy.Fault.SLOW_DOWN, 0);
        }
        // The label map's second read (the first builds the mask; the copy, unless the task failed before
        // it), cut 200 bytes in: inside the Last-Modified value, after the ETag and before Content-Length
        // (S3Proxy sends it last). S3A 3.3.4 then reads 0 bytes without an error; a cut inside a header
        // name, or before the ETag, gives an error instead (measured on S3Proxy's headers for this file).
        return label.equals(key) && n == 2 ? new FaultyTcpProxy.Decision(FaultyTcpProxy.Fault.CUT, 200) : FaultyTcpProxy.Decision.PASS;
      };
      Cli.Run run;
      Map<FaultyTcpProxy.Fault, Integer> faults;
      String logs;
      try (FaultyTcpProxy proxy = new FaultyTcpProxy(s3.port, script, Duration.ofMinutes(3));
          LogCapture capture = new LogCapture()) {
        run = Cli.runCli(protect("scripted", throughProxy(s3, proxy.endpoint()), "--master", "local[2,4]"));
        faults = proxy.injected();
        logs = capture.text();
        System.out.printf("S3FaultTest: scripted faults %s; %s; faulted requests:%n%s%n", faults, proxy.stats(), proxy.trace());
      }
      assertEquals(0, run.code(), run.out() + run.err());
      assertTrue(leaseRefused[0] > 0 && leaseRefused[0] < 40, "the lease's removal met the refusals, and gave up: " + leaseRefused[0]);
      assertEquals(Map.of(FaultyTcpProxy.Fault.DROP, 0, FaultyTcpProxy.Fault.SLOW_DOWN, 3 + leaseRefused[0],
          FaultyTcpProxy.Fault.CUT, 1), faults);
      assertTrue(run.err().contains("_unseg/lease.json could not be removed") && run.err().contains("unseg.run.lease-expiry"),
          run.err());
      assertTrue(sdk.doesObjectExist(BUCKET, "released/scripted/_unseg/lease.json"), "the lease is left to expire");
      checkOutput(s3, sdk, "released/scripted/", null, samples);
      // Both faults failed a task (S3A did not absorb them), and Spark's next attempt did the work.
      assertTrue(logs.contains("the storage failed on") && logs.contains("ADE_val_00000002.jpg: org.apache.hadoop.fs.s3a"),
          "the image's read failed its task");
      assertTrue(logs.contains("ADE_val_00000003.png ended after 0 of its"), "the short label map read failed its task");
    }
  }

  /**
   * The output under prefix, read with the SDK straight from S3Proxy: _SUCCESS, no temporary or
   * half-published object, the clean run's objects byte for byte (expected, when given), images that
   * decode, label maps copied unchanged, one manifest row per image, every image protected.
   */
  private static void checkOutput(S3ProxyServer s3, AmazonS3 sdk, String prefix, Map<String, String> expected, Path samples)
      throws Exception {
    Map<String, byte[]> objects = S3ResumeTest.objects(sdk, BUCKET, prefix);
    assertTrue(objects.containsKey(prefix + "_SUCCESS"), objects.keySet().toString());
    for (String key : objects.keySet()) {
      assertFalse(key.contains(Storage.TEMP_PREFIX) || key.contains("_temporary") || key.contains("_unseg/plan/"),
          "no temporary or half-published object: " + key);
    }
    if (expected != null) {
      assertEquals(expected, S3ResumeTest.contentTree(objects, prefix), "images, label maps and masks byte-identical to the clean run's");
    }
    JsonNode summary = Cli.JSON.readTree(objects.get(prefix + "_unseg/summary.json"));
    assertTrue(summary.get("success").asBoolean(), summary.toString());
    assertEquals(IMAGES, summary.get("manifest_rows").asLong(), summary.toString());
    FileSystem.closeAll(); // the cached S3A instance may go through the proxy, now closed
    for (JsonNode row : S3ResumeTest.inspect("s3a://" + BUCKET + "/" + prefix, s3.s3aConf(), IMAGES)) {
      assertEquals("protected", row.get("status").asText(), "no image failed for a fault of the store: " + row);
      byte[] written = objects.get(prefix + "images/" + row.get("output_path").asText());
      assertNotNull(written, row.toString());
      assertEquals(Datasets.sha256(written), row.get("output_sha256").asText(), row.toString());
      assertNotNull(ImageIO.read(new ByteArrayInputStream(written)), "decodes: " + row);
      String rel = row.get("input_path").asText();
      String label = rel.substring(0, rel.lastIndexOf('.')) + ".png";
      assertArrayEquals(Files.readAllBytes(samples.resolve("annotations").resolve(label)), objects.get(prefix + "annotations/" + label),
          "label map copied whole: " + label);
    }
    assertEquals(IMAGES, objects.keySet().stream().filter(k -> k.startsWith(prefix + "images/")).count(), objects.keySet().toString());
  }

  /** The bucket, with the sample dataset under raw/ade20k/; an SDK client for it. */
  private static AmazonS3 withSamples(S3ProxyServer s3, Path samples) throws Exception {
    AmazonS3 sdk = s3.client();
    sdk.createBucket(BUCKET);
    S3ProtectTest.upload(sdk, BUCKET, samples, "raw/ade20k/");
    return sdk;
  }

  /** A run that met faults it could not get past stopped cleanly: exit 1, a reason, no _SUCCESS. */
  private static void assertStopped(Cli.Run run, AmazonS3 sdk) throws Exception {
    // Exit 1 with the step and --resume; or, when the start checks could not reach the bucket, exit 2
    // before anything was written. Either way one line, no stack trace.
    assertTrue(run.code() == 1 && run.err().contains("stopped while") && run.err().contains("--resume")
        || run.code() == 2 && run.err().contains("cannot reach"), "a run that meets faults stops cleanly: " + run.out() + run.err());
    assertTrue(run.err().startsWith("unseg: ") && !run.err().contains("\tat "), run.err());
    assertFalse(S3ResumeTest.objects(sdk, BUCKET, "released/faulty/").containsKey("released/faulty/_SUCCESS"),
        "a stopped run leaves no _SUCCESS: " + run.out() + run.err());
  }

  private static String outcome(String what, Cli.Run run) {
    String err = run.err().lines().findFirst().orElse("");
    return what + ": exit " + run.code() + (err.isEmpty() ? "" : " (" + err.substring(0, Math.min(err.length(), 240)) + ")");
  }

  /** protect from raw/ade20k/ to released/NAME/, with the given S3A settings. */
  private static String[] protect(String name, List<String> conf, String... more) {
    List<String> a = new ArrayList<>(List.of("protect", "--format", "ade20k",
        "--images", "s3a://" + BUCKET + "/raw/ade20k/images", "--annotations", "s3a://" + BUCKET + "/raw/ade20k/annotations",
        "--output", "s3a://" + BUCKET + "/released/" + name + "/", "--write-masks", "--key", "s3-fault-key",
        "--conf", "spark.ui.enabled=false", "--conf", "unseg.run.progress-interval=0"));
    a.addAll(List.of(more));
    a.addAll(conf);
    return a.toArray(String[]::new);
  }

  /**
   * S3Proxy's settings with the endpoint at the proxy, and retries that are quick and bounded: no
   * retries in the AWS SDK, three tries an operation in S3A (so a burst of faults can exhaust
   * them, as a longer outage would in production), 50 ms apart, and short connection timeouts.
   */
  private static List<String> throughProxy(S3ProxyServer s3, String endpoint) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("spark.hadoop.fs.s3a.endpoint", endpoint);
    m.put("spark.hadoop.fs.s3a.attempts.maximum", "0");
    m.put("spark.hadoop.fs.s3a.retry.limit", "2");
    m.put("spark.hadoop.fs.s3a.retry.interval", "50ms");
    m.put("spark.hadoop.fs.s3a.retry.throttle.limit", "2");
    m.put("spark.hadoop.fs.s3a.retry.throttle.interval", "50ms");
    m.put("spark.hadoop.fs.s3a.connection.establish.timeout", "2000");
    m.put("spark.hadoop.fs.s3a.connection.timeout", "10000");
    return s3.s3aConf(m);
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }
}
