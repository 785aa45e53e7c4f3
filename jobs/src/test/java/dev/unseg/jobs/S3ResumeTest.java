package dev.unseg.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.s3.AmazonS3;
import com.amazonaws.services.s3.model.ListObjectsV2Request;
import com.amazonaws.services.s3.model.ListObjectsV2Result;
import com.amazonaws.services.s3.model.S3ObjectSummary;
import com.fasterxml.jackson.databind.JsonNode;
import dev.unseg.jobs.testing.ChildProcess;
import dev.unseg.jobs.testing.Cli;
import dev.unseg.jobs.testing.Datasets;
import dev.unseg.jobs.testing.S3ProxyServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6 on S3 (S3Proxy, a real S3 server in its own process): a protect run from bucket to
 * bucket whose driver JVM is killed (SIGKILL) once some task records are in the bucket, then
 * --resume, ends with the same objects as an uninterrupted run (SHA-256 of every object except the
 * run-specific ones), only the missing images redone, and `unseg verify` on the s3a:// output passes;
 * then a resume after the bucket's dataset changed redoes the re-exported image and the deleted copy.
 */
class S3ResumeTest {
  static final String BUCKET = "resume";
  static final int IMAGES = 48;

  @TempDir Path tmp;

  @AfterEach
  void closeCachedFileSystems() throws Exception {
    FileSystem.closeAll(); // S3A instances are cached per bucket; another test's server has another port and keys
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void resumeOnS3AfterTheDriverIsKilledEqualsAnUninterruptedRun() throws Exception {
    Path data = tmp.resolve("data");
    Datasets.dataset(data, 0, IMAGES, 160);
    try (S3ProxyServer s3 = new S3ProxyServer(tmp.resolve("s3proxy"))) {
      AmazonS3 sdk = s3.client();
      sdk.createBucket(BUCKET);
      try (Stream<Path> files = Files.walk(data)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          sdk.putObject(BUCKET, "raw/" + data.relativize(f).toString().replace('\\', '/'), f.toFile());
        }
      }
      String in = "s3a://" + BUCKET + "/raw/";
      List<String> conf = s3.s3aConf();

      // The uninterrupted run.
      Cli.Run reference = Cli.runCli(args(in, "s3a://" + BUCKET + "/reference/", conf,
          "--run-id", "reference", "--master", "local[2]"));
      assertEquals(0, reference.code(), reference.err() + "\nS3Proxy log:\n" + s3.log());

      // The same run in its own JVM, killed once a few tasks have published their records.
      String out = "s3a://" + BUCKET + "/out/";
      List<String> cmd = new ArrayList<>(ChildProcess.java("768m", System.getProperty("java.class.path"), "dev.unseg.jobs.cli.UnsegCli"));
      cmd.addAll(List.of(args(in, out, conf, "--run-id", "killed", "--master", "local[1]",
          "--conf", "unseg.partitions.size=2", "--conf", "unseg.pipeline.threads=1")));
      Path logFile = tmp.resolve("killed.log");
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
      try {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (recordKeys(sdk) < 3 && p.isAlive() && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
      } finally {
        p.destroyForcibly();
        p.waitFor(1, TimeUnit.MINUTES);
      }
      String log = Files.readString(logFile, StandardCharsets.UTF_8);
      assertFalse(objects(sdk, "out/").containsKey("out/_SUCCESS"), "the run must have been killed before it finished: " + log);
      Map<String, byte[]> kept = records(sdk);
      long keptRows = kept.values().stream().mapToLong(b -> new String(b, StandardCharsets.UTF_8).lines().count()).sum();
      assertTrue(kept.size() >= 3 && keptRows < IMAGES, kept.size() + " task records, " + keptRows + " rows before the kill\n" + log);

      System.out.println("S3ResumeTest: killed with " + kept.size() + " task records, " + keptRows + " of " + IMAGES + " rows");
      // The killed driver's lease is still live: the output is refused until it expires.
      Cli.Run tooSoon = Cli.runCli(args(in, out, conf, "--resume", "--master", "local[2]"));
      assertEquals(2, tooSoon.code(), tooSoon.err());
      assertTrue(tooSoon.err().contains("in use by run killed") && tooSoon.err().contains("unseg.run.lease-expiry"), tooSoon.err());
      Thread.sleep(1200);
      Cli.Run resumed = Cli.runCli(args(in, out, conf, "--resume", "--run-id", "resumed", "--master", "local[2]",
          "--conf", "unseg.run.lease-expiry=1s"));
      assertEquals(0, resumed.code(), resumed.err() + "\nS3Proxy log:\n" + s3.log());
      assertTrue(resumed.err().contains("taking over the output from run killed"), resumed.err());

      Map<String, String> expected = contentTree(objects(sdk, "reference/"), "reference/");
      // Report pictures: 2 charts and 4 per sample image (unseg.report.samples = 4).
      assertEquals(IMAGES * 3 + 1 + 2 + 4 * 4, expected.size(),
          "images, copied masks, eps masks, settings.json, report pictures: " + expected.keySet());
      assertEquals(expected, contentTree(objects(sdk, "out/"), "out/"), "killed and resumed: the objects of an uninterrupted run");
      assertTrue(objects(sdk, "out/").containsKey("out/_SUCCESS"));

      // One row per image; the killed run's finished tasks were not redone.
      Map<String, Long> byRun = new HashMap<>();
      for (JsonNode r : inspect(out, conf)) {
        byRun.merge(r.get("run_id").asText(), 1L, Long::sum);
      }
      assertEquals(Map.of("killed", keptRows, "resumed", IMAGES - keptRows), byRun);

      // unseg verify on the s3a:// output, with and without the originals.
      Cli.Run verify = cli(concat(List.of("verify", "--output", out, "--master", "local[2]"), conf));
      assertEquals(0, verify.code(), verify.out() + verify.err());
      assertTrue(verify.out().contains(IMAGES + " manifest rows"), verify.out());
      Cli.Run full = cli(concat(List.of("verify", "--output", out, "--originals", in + "images",
          "--master", "local[2]"), conf));
      assertEquals(0, full.code(), full.out() + full.err());

      // The dataset changed in the bucket: an image re-exported, one taken out, and a protected copy deleted.
      java.awt.image.BufferedImage edited = javax.imageio.ImageIO.read(data.resolve("images/img_0001.png").toFile());
      edited.getRaster().setSample(0, 0, 0, 255 - edited.getRaster().getSample(0, 0, 0));
      ByteArrayOutputStream png = new ByteArrayOutputStream();
      javax.imageio.ImageIO.write(edited, "png", png);
      Path reexported = Files.write(tmp.resolve("img_0001.png"), png.toByteArray());
      sdk.putObject(BUCKET, "raw/images/img_0001.png", reexported.toFile());
      sdk.deleteObject(BUCKET, "raw/images/img_0007.png");
      sdk.deleteObject(BUCKET, "out/images/img_0005.png");
      // And a mask edited: the left half of img_0002's object is no longer annotated.
      Path editedMask = tmp.resolve("img_0002.png");
      Datasets.eraseLeftHalf(data.resolve("masks/img_0002.png"), editedMask);
      sdk.putObject(BUCKET, "raw/masks/img_0002.png", editedMask.toFile());
      Cli.Run refused = Cli.runCli(args(in, out, conf, "--resume", "--master", "local[2]"));
      assertEquals(2, refused.code(), refused.err());
      assertTrue(refused.err().contains("(img_0007.png)") && refused.err().contains(out + "images/img_0007.png"), refused.err());
      assertTrue(objects(sdk, "out/").containsKey("out/_SUCCESS"), "a refused resume changes nothing");
      sdk.deleteObject(BUCKET, "out/images/img_0007.png");
      Cli.Run again = Cli.runCli(args(in, out, conf, "--resume", "--run-id", "again", "--master", "local[2]"));
      assertEquals(0, again.code(), again.err() + "\nS3Proxy log:\n" + s3.log());
      assertTrue(again.err().contains("1 image has changed") && again.err().contains("1 protected copy was no longer")
          && again.err().contains("1 image's annotation has changed"), again.err());
      Map<String, String> rerun = new TreeMap<>();
      for (JsonNode r : inspect(out, conf, IMAGES - 1)) {
        if (r.get("run_id").asText().equals("again")) {
          rerun.put(r.get("input_path").asText(), r.get("status").asText());
        }
      }
      assertEquals(Map.of("img_0001.png", "protected", "img_0002.jpg", "protected", "img_0005.png", "protected"), rerun);
      Cli.Run changed = cli(concat(List.of("verify", "--output", out, "--originals", in + "images",
          "--master", "local[2]"), conf));
      assertEquals(0, changed.code(), changed.out() + changed.err());
    }
  }

  private static String[] args(String in, String out, List<String> conf, String... more) {
    List<String> a = new ArrayList<>(List.of("protect"));
    a.addAll(List.of(Datasets.protectArgs(Path.of("unused"), Path.of("unused"))));
    // protectArgs builds local paths; replace them with the bucket's.
    a.set(a.indexOf("--images") + 1, in + "images");
    a.set(a.indexOf("--annotations") + 1, in + "masks");
    a.set(a.indexOf("--output") + 1, out);
    a.addAll(List.of("--key", "s3-resume-key", "--conf", "spark.ui.enabled=false", "--conf", "unseg.run.progress-interval=0"));
    a.addAll(List.of(more));
    a.addAll(conf);
    return a.toArray(String[]::new);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static Cli.Run cli(List<String> args) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Cli.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Cli.Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static List<JsonNode> inspect(String out, List<String> conf) throws Exception {
    return inspect(out, conf, IMAGES);
  }

  /** The manifest rows through `unseg inspect` on an s3a:// output: as many as expected, one per image. */
  static List<JsonNode> inspect(String out, List<String> conf, int expectedRows) throws Exception {
    Cli.Run run = cli(concat(List.of("inspect", out), conf.stream().filter(a -> !a.startsWith("spark.ui")).toList()));
    assertEquals(0, run.code(), run.err());
    List<JsonNode> rows = new ArrayList<>();
    java.util.Set<String> paths = new java.util.HashSet<>();
    for (String line : run.out().split("\n")) {
      if (line.startsWith("{\"run_id\"")) {
        JsonNode r = Cli.JSON.readTree(line);
        assertTrue(paths.add(r.get("input_path").asText()), "one row per image: " + r);
        rows.add(r);
      }
    }
    assertEquals(expectedRows, rows.size(), run.out());
    return rows;
  }

  private static long recordKeys(AmazonS3 sdk) {
    return sdk.listObjectsV2(BUCKET, "out/_unseg/records/").getObjectSummaries().stream()
        .filter(o -> o.getKey().endsWith(".json")).count();
  }

  /** The task records in the bucket (complete objects only: S3 publishes an object when its upload completes). */
  private static Map<String, byte[]> records(AmazonS3 sdk) throws Exception {
    Map<String, byte[]> m = new TreeMap<>(objects(sdk, "out/_unseg/records/"));
    m.keySet().removeIf(k -> !k.endsWith(".json"));
    return m;
  }

  /**
   * SHA-256 of every object under a prefix, by key relative to it, except what is run-specific by
   * design: the manifest, the summary, the task records, report.html and _SUCCESS (run id, times), and empty
   * directory markers.
   */
  static Map<String, String> contentTree(Map<String, byte[]> objects, String prefix) throws Exception {
    Map<String, String> tree = new TreeMap<>();
    for (Map.Entry<String, byte[]> o : objects.entrySet()) {
      String rel = o.getKey().substring(prefix.length());
      if (rel.startsWith("_unseg/manifest/") || rel.startsWith("_unseg/records/") || rel.equals("_unseg/summary.json")
          || rel.equals("_unseg/report.html") || rel.equals("_SUCCESS") || (rel.endsWith("/") && o.getValue().length == 0)) {
        continue;
      }
      tree.put(rel, Datasets.contentHash(rel, o.getValue()));
    }
    return tree;
  }

  private static Map<String, byte[]> objects(AmazonS3 sdk, String prefix) throws Exception {
    return objects(sdk, BUCKET, prefix);
  }

  /** Every object under a prefix, read with the SDK (independently of S3A), by key. */
  static Map<String, byte[]> objects(AmazonS3 sdk, String bucket, String prefix) throws Exception {
    Map<String, byte[]> out = new TreeMap<>();
    ListObjectsV2Request req = new ListObjectsV2Request().withBucketName(bucket).withPrefix(prefix);
    ListObjectsV2Result page;
    do {
      page = sdk.listObjectsV2(req);
      for (S3ObjectSummary o : page.getObjectSummaries()) {
        try (var in = sdk.getObject(bucket, o.getKey()).getObjectContent()) {
          out.put(o.getKey(), in.readAllBytes());
        } catch (com.amazonaws.services.s3.model.AmazonS3Exception e) {
          if (e.getStatusCode() != 404) { // deleted since the listing (S3A removes directory markers)
            throw e;
          }
        }
      }
      req.setContinuationToken(page.getNextContinuationToken());
    } while (page.isTruncated());
    return out;
  }
}
