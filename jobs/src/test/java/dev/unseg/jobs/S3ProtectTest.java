package dev.unseg.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.s3.AmazonS3;
import com.amazonaws.services.s3.model.ListObjectsV2Request;
import com.amazonaws.services.s3.model.ListObjectsV2Result;
import com.amazonaws.services.s3.model.S3ObjectSummary;
import com.fasterxml.jackson.databind.JsonNode;
import dev.unseg.jobs.testing.Cli;
import dev.unseg.jobs.testing.LogCapture;
import dev.unseg.jobs.testing.S3ProxyServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * protect from s3a:// to s3a:// against a real S3 server (S3Proxy, its own process), with the
 * endpoint, path-style access and credentials given as ordinary --conf spark.hadoop.fs.s3a.*
 * settings; checks the bucket with the AWS SDK, independently of S3A, and that the credentials
 * appear in no log line, console line, manifest row, summary or object.
 */
class S3ProtectTest {
  static final String BUCKET = "datasets";

  @TempDir Path tmp;

  @AfterEach
  void closeCachedFileSystems() throws Exception {
    // S3A instances are cached per bucket; the next test's server has another port and keys.
    FileSystem.closeAll();
  }

  @Test
  @org.junit.jupiter.api.Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
  void protectsAnAde20kDatasetFromBucketToBucket() throws Exception {
    Path samples = Cli.SAMPLES.resolve("ade20k");
    try (S3ProxyServer s3 = new S3ProxyServer(tmp.resolve("s3proxy"))) {
      AmazonS3 sdk = s3.client();
      sdk.createBucket(BUCKET);
      Map<String, Path> uploaded = upload(sdk, samples, "raw/ade20k/");
      assertTrue(uploaded.size() >= 6, "images and label maps uploaded: " + uploaded.keySet());
      // A world file beside an image (GDAL's sidecar, no pixels): it travels with the release.
      String worldFile = "images/validation/ADE_val_00000001.jgw";
      sdk.putObject(BUCKET, "raw/ade20k/" + worldFile, "0.5\n0\n0\n-0.5\n10.25\n20.25\n");

      String in = "s3a://" + BUCKET + "/raw/ade20k/";
      String out = "s3a://" + BUCKET + "/released/ade20k/";
      Cli.Run run;
      String logs;
      try (LogCapture capture = new LogCapture()) {
        run = Cli.runCli(protectArgs(s3, Map.of(), "--format", "ade20k", "--images", in + "images",
            "--annotations", in + "annotations", "--output", out, "--write-masks"));
        logs = capture.text();
      }
      assertEquals(0, run.code(), run.err() + "\nS3Proxy log:\n" + s3.log());
      assertTrue(logs.contains("S3AFileSystem") || logs.contains("s3a"), "the log capture saw S3A at work");

      // The bucket, read with the SDK: protected images, copied label maps, audit trail, _SUCCESS.
      Map<String, byte[]> objects = readAll(sdk, "released/ade20k/");
      assertTrue(objects.containsKey("released/ade20k/_SUCCESS"), objects.keySet().toString());
      assertTrue(objects.keySet().stream().anyMatch(k -> k.startsWith("released/ade20k/_unseg/manifest/part-")
          && k.endsWith(".parquet")), objects.keySet().toString());
      assertFalse(objects.keySet().stream().anyMatch(k -> k.contains("_unseg/plan/") || k.contains("_temporary")),
          "no planning or temporary objects left: " + objects.keySet());
      JsonNode summary = Cli.JSON.readTree(objects.get("released/ade20k/_unseg/summary.json"));
      assertEquals(3, summary.get("status").get("protected").asLong(), summary.toString());
      assertEquals(3, summary.get("manifest_rows").asLong());
      assertTrue(summary.get("success").asBoolean());
      assertEquals(1, summary.get("sidecars_copied").asLong(), summary.toString());
      assertEquals("0.5\n0\n0\n-0.5\n10.25\n20.25\n",
          new String(objects.get("released/ade20k/" + worldFile), StandardCharsets.UTF_8));

      // The manifest through `unseg inspect s3a://...` with the same settings.
      List<String> inspectArgs = new ArrayList<>(List.of("inspect", out));
      List<String> conf = s3.s3aConf();
      inspectArgs.addAll(conf.stream().filter(a -> !a.startsWith("spark.ui")).toList());
      ByteArrayOutputStream inspectOut = new ByteArrayOutputStream();
      ByteArrayOutputStream inspectErr = new ByteArrayOutputStream();
      assertEquals(0, Cli.run(inspectArgs.toArray(String[]::new), new PrintStream(inspectOut, true, StandardCharsets.UTF_8),
          new PrintStream(inspectErr, true, StandardCharsets.UTF_8)), inspectErr.toString(StandardCharsets.UTF_8));
      String inspected = inspectOut.toString(StandardCharsets.UTF_8);
      List<JsonNode> rows = new ArrayList<>();
      for (String line : inspected.split("\n")) {
        if (line.startsWith("{\"run_id\"")) {
          rows.add(Cli.JSON.readTree(line));
        }
      }
      assertEquals(3, rows.size(), inspected);
      for (JsonNode row : rows) {
        assertEquals("protected", row.get("status").asText(), row.toString());
        String rel = row.get("input_path").asText();
        byte[] original = Files.readAllBytes(samples.resolve("images").resolve(rel));
        byte[] written = objects.get("released/ade20k/images/" + row.get("output_path").asText());
        assertTrue(written != null, "protected image in the bucket for " + rel);
        assertEquals(sha256(original), row.get("input_sha256").asText(), rel);
        assertEquals(sha256(written), row.get("output_sha256").asText(), rel);
        assertEquals(written.length, row.get("output_bytes").asLong());
        assertFalse(java.util.Arrays.equals(original, written), rel + " was changed");
        assertEquals(row.get("width").asInt(), ImageIO.read(new ByteArrayInputStream(written)).getWidth());
        String label = rel.substring(0, rel.lastIndexOf('.')) + ".png";
        assertArrayEquals(Files.readAllBytes(samples.resolve("annotations").resolve(label)),
            objects.get("released/ade20k/annotations/" + label), "label map copied unchanged: " + label);
        assertTrue(objects.containsKey("released/ade20k/_unseg/masks/" + label), "mask written for " + rel);
      }
      // The input is only read.
      java.util.Set<String> inputs = new java.util.TreeSet<>(uploaded.keySet());
      inputs.add("raw/ade20k/" + worldFile);
      assertEquals(inputs, new java.util.TreeSet<>(readAll(sdk, "raw/ade20k/").keySet()));

      // The report: in the bucket with every picture it shows beside it; `unseg report s3a://...` builds it again.
      checkReport(objects, "released/ade20k/_unseg/");
      List<String> reportArgs = new ArrayList<>(List.of("report", out, "--samples", "1", "--master", "local[2]"));
      reportArgs.addAll(s3.s3aConf());
      Cli.Run report = Cli.runCli(reportArgs.toArray(String[]::new));
      assertEquals(0, report.code(), report.err());
      assertTrue(report.out().contains("report: " + out + "_unseg/report.html"), report.out());
      Map<String, byte[]> rebuilt = readAll(sdk, "released/ade20k/_unseg/");
      assertEquals(2 + 4, checkReport(rebuilt, "released/ade20k/_unseg/"), "two charts and one sample's four pictures");
      objects.putAll(rebuilt);

      // `unseg verify` on the bucket: hashes, and bounds against the originals read from the bucket too.
      List<String> verifyArgs = new ArrayList<>(List.of("verify", "--output", out, "--originals", in + "images",
          "--master", "local[2]"));
      verifyArgs.addAll(s3.s3aConf());
      Cli.Run verified = Cli.runCli(verifyArgs.toArray(String[]::new));
      assertEquals(0, verified.code(), verified.out() + verified.err());
      assertTrue(verified.out().contains("verified " + out + ": 3 manifest rows"), verified.out());

      // Credentials: nowhere in logs, console, manifest (inspect output), summary or any object.
      List<String> places = new ArrayList<>(List.of(logs, run.out(), run.err(), inspected));
      for (Map.Entry<String, byte[]> o : objects.entrySet()) {
        places.add(new String(o.getValue(), StandardCharsets.ISO_8859_1));
      }
      for (String secret : List.of(s3.accessKey, s3.secretKey)) {
        for (int i = 0; i < places.size(); i++) {
          assertFalse(places.get(i).contains(secret), "a credential leaked into " + (i < 4
              ? List.of("the logs", "stdout", "stderr", "inspect output").get(i) : "an object in the bucket"));
        }
      }
    }
  }

  /**
   * evaluate on an s3a:// output: the clean dataset from the run's settings (in the bucket), the
   * protected copy from the bucket, the report written into the bucket under the run's _unseg/.
   */
  @Test
  @org.junit.jupiter.api.Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
  void evaluatesARunInTheBucket() throws Exception {
    Path data = tmp.resolve("scenes");
    Cli.Run made = Cli.runCli(new String[] {"make-dataset", "--photos", Cli.SAMPLES.toString(), "--output", data.toString(),
        "--count", "14", "--size", "64"});
    assertEquals(0, made.code(), made.err());
    try (S3ProxyServer s3 = new S3ProxyServer(tmp.resolve("s3proxy"))) {
      AmazonS3 sdk = s3.client();
      sdk.createBucket(BUCKET);
      upload(sdk, data, "raw/scenes/");
      String in = "s3a://" + BUCKET + "/raw/scenes/";
      String out = "s3a://" + BUCKET + "/released/scenes/";
      Cli.Run run = Cli.runCli(protectArgs(s3, Map.of(), "--format", "coco", "--images", in + "images",
          "--annotations", in + "annotations.json", "--output", out));
      assertEquals(0, run.code(), run.err());

      List<String> evaluate = new ArrayList<>(List.of("evaluate", "--protected", out, "--sample", "8", "--test", "4",
          "--base-size", "32", "--crop", "32", "--epochs", "1", "--model", "unet", "--defense", "none,jpeg:75",
          "--run-id", "in-bucket"));
      evaluate.addAll(s3.s3aConf().stream().filter(a -> !a.startsWith("spark.ui")).toList());
      Cli.Run eval = Cli.runCli(evaluate.toArray(String[]::new));
      assertEquals(0, eval.code(), eval.err());
      assertTrue(eval.out().contains("trained on 8 coco images (4 classes), tested on 4 clean images"), eval.out());
      String prefix = "released/scenes/_unseg/evaluation/in-bucket/";
      assertTrue(eval.out().contains("report: " + out + "_unseg/evaluation/in-bucket/report.html"), eval.out());
      Map<String, byte[]> objects = readAll(sdk, prefix);
      JsonNode report = Cli.JSON.readTree(objects.get(prefix + "report.json"));
      assertEquals(in + "images", report.at("/settings/clean_images").asText());
      assertEquals(3, report.get("sides").size(), "clean, protected, protected+jpeg:75");
      assertTrue(checkReport(objects, prefix) >= 2 + 3 * 4, "curves and the triples");
    }
  }

  /**
   * Credentials the store refuses (a wrong secret: S3Proxy's 403) or none at all are a setting to fix:
   * exit 2, one line naming the refused URI, its setting and where credentials go, no Java class names;
   * protect writes nothing. Before, protect said "the storage failed ... run with --resume" (exit 1) and
   * verify, inspect, report and evaluate "internal error: java.nio.file.AccessDeniedException".
   */
  @Test
  @org.junit.jupiter.api.Timeout(value = 4, unit = java.util.concurrent.TimeUnit.MINUTES)
  void refusedCredentialsAreASettingToFix() throws Exception {
    Path samples = Cli.SAMPLES.resolve("ade20k");
    try (S3ProxyServer s3 = new S3ProxyServer(tmp.resolve("s3proxy"))) {
      AmazonS3 sdk = s3.client();
      sdk.createBucket(BUCKET);
      upload(sdk, samples, "raw/ade20k/");
      String in = "s3a://" + BUCKET + "/raw/ade20k/";
      String out = "s3a://" + BUCKET + "/released/ade20k/";
      Map<String, String> wrongSecret = Map.of("spark.hadoop.fs.s3a.secret.key", "not-the-secret");

      assertRefused(protect(s3, samples.resolve("images").toString(), samples.resolve("annotations").toString(), out,
          wrongSecret),
          out.substring(0, out.length() - 1) + " (unseg.output.uri (--output): the store answered 403 Forbidden)");
      assertTrue(readAll(sdk, "released/").isEmpty(), "nothing written");
      Path local = tmp.resolve("out");
      assertRefused(protect(s3, in + "images", in + "annotations", local.toString(), wrongSecret),
          in + "images (unseg.input.images (--images): the store answered 403 Forbidden)");
      assertFalse(Files.exists(local), "nothing written");

      assertEquals(0, protect(s3, in + "images", in + "annotations", out, Map.of()).code());
      for (List<String> command : List.of(List.of("verify", "--output", out), List.of("inspect", out),
          List.of("report", out), List.of("evaluate", "--protected", out))) {
        List<String> args = new ArrayList<>(command);
        args.addAll(s3.s3aConf(wrongSecret));
        FileSystem.closeAll();
        assertRefused(Cli.runCli(args.toArray(String[]::new)), out);
      }
    }
  }

  /** protect of ADE20K with these roots. */
  private static Cli.Run protect(S3ProxyServer s3, String images, String annotations, String out,
      Map<String, String> s3aOverrides) throws Exception {
    FileSystem.closeAll(); // S3A instances are cached per bucket: one made with other credentials would be reused
    return Cli.runCli(protectArgs(s3, s3aOverrides, "--format", "ade20k", "--images", images, "--annotations", annotations,
        "--output", out));
  }

  /** protect with these arguments, the tests' key, two local threads and this server's S3A settings (some replaced). */
  private static String[] protectArgs(S3ProxyServer s3, Map<String, String> s3aOverrides, String... args) {
    List<String> all = new ArrayList<>(List.of("protect"));
    all.addAll(List.of(args));
    all.addAll(List.of("--key", "s3-test-key", "--master", "local[2]", "--conf", "spark.ui.enabled=false",
        "--conf", "unseg.run.progress-interval=0"));
    all.addAll(s3.s3aConf(s3aOverrides));
    return all.toArray(String[]::new);
  }

  private static void assertRefused(Cli.Run run, String refused) {
    assertEquals(2, run.code(), run.err());
    assertTrue(run.err().contains("unseg: access denied to " + refused), run.err());
    assertTrue(run.err().contains("--conf spark.hadoop.fs.s3a.access.key=... --conf spark.hadoop.fs.s3a.secret.key=..."),
        run.err());
    assertFalse(run.err().contains("Exception") || run.err().contains("internal error"), run.err());
  }

  /** report.html under the prefix, and every picture it shows there, decodable; returns how many. */
  private static int checkReport(Map<String, byte[]> objects, String auditPrefix) throws Exception {
    byte[] html = objects.get(auditPrefix + "report.html");
    assertTrue(html != null, "no report.html in " + objects.keySet());
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("<img src=\"([^\"]+)\"")
        .matcher(new String(html, StandardCharsets.UTF_8));
    int n = 0;
    while (m.find()) {
      byte[] png = objects.get(auditPrefix + m.group(1));
      assertTrue(png != null && ImageIO.read(new ByteArrayInputStream(png)) != null, "picture " + m.group(1));
      n++;
    }
    assertTrue(n >= 2, "the report shows its charts");
    return n;
  }

  private static Map<String, Path> upload(AmazonS3 sdk, Path root, String prefix) throws Exception {
    return upload(sdk, BUCKET, root, prefix);
  }

  /** Uploads every file under root to the bucket, under prefix + its relative path. */
  static Map<String, Path> upload(AmazonS3 sdk, String bucket, Path root, String prefix) throws Exception {
    Map<String, Path> keys = new TreeMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String key = prefix + root.relativize(f).toString().replace('\\', '/');
        sdk.putObject(bucket, key, f.toFile());
        keys.put(key, f);
      }
    }
    return keys;
  }

  private static Map<String, byte[]> readAll(AmazonS3 sdk, String prefix) throws Exception {
    Map<String, byte[]> out = new TreeMap<>();
    ListObjectsV2Request req = new ListObjectsV2Request().withBucketName(BUCKET).withPrefix(prefix);
    ListObjectsV2Result page;
    do {
      page = sdk.listObjectsV2(req);
      for (S3ObjectSummary o : page.getObjectSummaries()) {
        try (var in = sdk.getObject(BUCKET, o.getKey()).getObjectContent()) {
          out.put(o.getKey(), in.readAllBytes());
        }
      }
      req.setContinuationToken(page.getNextContinuationToken());
    } while (page.isTruncated());
    return out;
  }

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
