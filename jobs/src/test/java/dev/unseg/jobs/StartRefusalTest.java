package dev.unseg.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unseg.jobs.testing.ChildProcess;
import dev.unseg.jobs.testing.Cli;
import dev.unseg.jobs.testing.Datasets;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad starts are refused with exit code 2 and one line that names the input, the flag and the fix,
 * before anything is written to the output, so the corrected command then runs into the same output.
 * Also: resuming with another key, and two runs into one output.
 */
class StartRefusalTest {
  static final Path COCO = Cli.SAMPLES.resolve("coco");
  static final String IMAGES = COCO.resolve("val2017").toString();
  static final String INSTANCES = COCO.resolve("annotations/instances_sample.json").toString();

  @TempDir Path tmp;

  /** A refused start: exit 2, a single console line without Java class names or traces, and no output. */
  private static void assertRefused(Cli.Run r, Path out, String... says) {
    assertEquals(2, r.code(), r.err());
    List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
    assertEquals(1, lines.size(), "one line: " + r.err());
    for (String s : says) {
      assertTrue(r.err().contains(s), "'" + s + "' in: " + r.err());
    }
    assertFalse(r.err().matches("(?s).*(Exception|\\tat |com\\.fasterxml|com\\.typesafe|InputStream|\\(Is a directory\\)).*"), r.err());
    assertFalse(Files.exists(out), "a refused start writes nothing: " + out);
  }

  private static String[] append(String[] args, String last) {
    String[] all = java.util.Arrays.copyOf(args, args.length + 1);
    all[args.length] = last;
    return all;
  }

  private static Cli.Run cocoRun(String format, String annotations, Path out, String... more) throws Exception {
    List<String> args = new ArrayList<>(List.of("--format", format, "--images", IMAGES, "--annotations", annotations,
        "--output", out.toString()));
    args.addAll(List.of(more));
    return Cli.protect(args.toArray(String[]::new));
  }

  @Test
  void badIndexesFormatsAndConfigsAreRefusedAndLeaveNothingBehind() throws Exception {
    Path out = tmp.resolve("out");
    Path notCoco = Files.writeString(tmp.resolve("foo.json"), "{\"foo\": 1}");
    assertRefused(cocoRun("coco", notCoco.toString(), out), out, "foo.json", "no 'images' list");

    Path empty = Files.writeString(tmp.resolve("empty.json"), "{\"images\": [], \"annotations\": [], \"categories\": []}");
    assertRefused(cocoRun("coco", empty.toString(), out), out, "empty.json", "lists no images");

    assertRefused(cocoRun("voc", INSTANCES, out), out, "--annotations", "instances_sample.json", "--format voc",
        "folder of label files", "--format coco");
    assertRefused(cocoRun("coco", COCO.resolve("annotations/panoptic_sample.json").toString(), out), out,
        "panoptic_sample.json", "COCO panoptic file", "--format coco-panoptic");
    assertRefused(cocoRun("coco-panoptic", INSTANCES, out), out, "instances_sample.json", "--format coco,");
    assertRefused(cocoRun("coco", COCO.resolve("annotations").toString(), out), out, "is a folder", "--format coco",
        "JSON");

    // A detection file (the sample's annotations with their boxes only): no image could get its mask.
    com.fasterxml.jackson.databind.node.ObjectNode boxes = (com.fasterxml.jackson.databind.node.ObjectNode)
        Cli.JSON.readTree(Path.of(INSTANCES).toFile());
    boxes.get("annotations").forEach(a -> ((com.fasterxml.jackson.databind.node.ObjectNode) a).remove("segmentation"));
    Path detections = tmp.resolve("detections.json");
    Cli.JSON.writeValue(detections.toFile(), boxes);
    assertRefused(cocoRun("coco", detections.toString(), out), out, "detections.json has 50 annotations, and none with a"
        + " segmentation", "has no 'segmentation'", "give the instances JSON with the objects' polygons or RLE masks");

    boxes.remove("annotations"); // an image_info file: images, categories, no annotations
    Path imageInfo = tmp.resolve("image_info.json");
    Cli.JSON.writeValue(imageInfo.toFile(), boxes);
    assertRefused(cocoRun("coco", imageInfo.toString(), out), out, "image_info.json lists 2 images but no annotations",
        "released unchanged, unprotected", "an annotated split");

    String json = Files.readString(Path.of(INSTANCES));
    Path truncated = Files.writeString(tmp.resolve("truncated.json"), json.substring(0, json.length() / 2));
    assertRefused(cocoRun("coco", truncated.toString(), out), out, "truncated.json (line ", "malformed JSON", "re-export");

    Path noImages = Files.createDirectories(tmp.resolve("voc/JPEGImages"));
    Files.writeString(noImages.resolve("README.txt"), "not an image");
    Path labels = Files.createDirectories(tmp.resolve("voc/SegmentationClass"));
    assertRefused(Cli.protect("--format", "voc", "--images", noImages.toString(), "--annotations", labels.toString(),
        "--output", out.toString()), out, "JPEGImages", "holds no voc image (*.jpg)", "--format");

    // --images one folder too high: none of the images the index names is there.
    assertRefused(Cli.protect("--format", "coco", "--images", COCO.toString(), "--annotations", INSTANCES, "--output",
        out.toString()), out, "holds none of the first 2 images the index names", "000000142238.jpg", "set --images");

    // An image list that is missing, a folder, names nothing, or is given with a COCO index.
    Path ade = Cli.SAMPLES.resolve("ade20k");
    String[] adeRun = {"--format", "ade20k", "--images", ade.resolve("images").toString(), "--annotations",
        ade.resolve("annotations").toString(), "--output", out.toString(), "--image-list"};
    assertRefused(Cli.protect(append(adeRun, tmp.resolve("val.txt").toString())), out, "val.txt does not exist",
        "--image-list", "one per line");
    assertRefused(Cli.protect(append(adeRun, tmp.toString())), out, "is a folder", "--image-list");
    Path blank = Files.writeString(tmp.resolve("blank.txt"), "\n# none yet\n");
    assertRefused(Cli.protect(append(adeRun, blank.toString())), out, "blank.txt names no image", "nothing to protect");
    assertRefused(cocoRun("coco", INSTANCES, out, "--image-list", blank.toString()), out, "unseg.input.image-list",
        "--format coco, whose index names its images itself", "--select");
    Path elsewhere = Files.writeString(tmp.resolve("elsewhere.txt"), "training/ADE_train_00000001\n");
    assertRefused(Cli.protect(append(adeRun, elsewhere.toString())), out, "holds none of the first 1 images --image-list names",
        "training/ADE_train_00000001.jpg");

    // Mask pairs whose masks are among the images: each would be protected as an image, a PNG with itself as mask.
    Path tiles = Cli.SAMPLES.resolve("tiles/images");
    assertRefused(Cli.protect("--format", "mask-pairs", "--images", tiles.toString(), "--annotations", tiles.toString(),
        "--output", out.toString()), out, "lies inside it", "taken for images", "a folder of their own");
    assertRefused(Cli.protect("--format", "mask-pairs", "--images", Cli.SAMPLES.resolve("tiles").toString(),
        "--annotations", Cli.SAMPLES.resolve("tiles/masks").toString(), "--output", out.toString()), out, "tiles/masks",
        "--image-list");

    // --annotations a folder too high, or a mask-name rule that names no file: every image would fail, exit 0.
    assertRefused(Cli.protect("--format", "ade20k", "--images", ade.resolve("images").toString(), "--annotations",
        ade.toString(), "--output", out.toString()), out, "holds the annotation of none of the first 3 images",
        "validation/ADE_val_00000001.png", "set --annotations");
    assertRefused(Cli.protect("--format", "mask-pairs", "--images", tiles.toString(), "--annotations",
        Cli.SAMPLES.resolve("tiles/masks").toString(), "--mask-name", "{dir}{stem}_mask.png", "--output", out.toString()),
        out, "rocket_mask.png", "--mask-name", "{dir}{stem}_mask.png now");

    assertRefused(cocoRun("coco-panoptic", COCO.resolve("annotations/panoptic_sample.json").toString(), out,
        "--panoptic-masks", COCO.resolve("annotations").toString()), out, "--panoptic-masks", "holds none of the first 2 PNGs",
        "000000142238.png");

    // A selection the format cannot apply: a class id it does not have, things where it has no split.
    assertRefused(Cli.protect("--format", "ade20k", "--images", ade.resolve("images").toString(), "--annotations",
        ade.resolve("annotations").toString(), "--output", out.toString(), "--select", "class:999"), out,
        "unseg.input.selection = 'class:999'", "not a ade20k label value", "--select");
    assertRefused(Cli.protect("--format", "ade20k", "--images", ade.resolve("images").toString(), "--annotations",
        ade.resolve("annotations").toString(), "--output", out.toString(), "--select", "things"), out, "no thing/stuff split");

    // A category the COCO index does not have: nothing selected, every image released unchanged.
    assertRefused(cocoRun("coco", INSTANCES, out, "--select", "class:999"), out, "names category 999",
        "does not have", "1 person");
    // A name none of its categories has, or one misspelt: refused with the names it has.
    assertRefused(cocoRun("coco", INSTANCES, out, "--select", "classes:person,persn"), out, "no class is named 'persn'",
        "'categories' of --annotations", "1 person, 2 bicycle");
    assertRefused(Cli.protect("--format", "ade20k", "--images", ade.resolve("images").toString(), "--annotations",
        ade.resolve("annotations").toString(), "--output", out.toString(), "--select", "class:pedestrian"), out,
        "unseg.input.selection = 'class:pedestrian'", "no class is named 'pedestrian'", "1 wall, 2 building", "--select");

    // A scheme without its connector (s3:// is EMR's own; gs:// needs the GCS jar; wasb:// is named by Hadoop, not shipped).
    assertRefused(Cli.protect("--format", "coco", "--images", IMAGES, "--annotations", INSTANCES, "--output",
        "s3://bucket/release"), out, "s3://bucket/release",
        "Write s3a://bucket/release/", "EMRFS");
    assertRefused(Cli.protect("--format", "ade20k", "--images", "gs://bucket/images", "--annotations", "gs://bucket/annotations",
        "--output", out.toString()), out, "gs://bucket/images", "GCS connector");
    assertRefused(Cli.protect("--format", "coco", "--images", IMAGES, "--annotations", INSTANCES, "--output",
        "wasb://c@account/release"), out, "no Hadoop connector for wasb://");

    Path badConf = Files.writeString(tmp.resolve("bad.conf"), "unseg {\n  noise { eps = 8\n");
    assertRefused(cocoRun("coco", INSTANCES, out, "--config", badConf.toString()), out, "--config", "bad.conf", "line 3",
        "HOCON");
    assertRefused(cocoRun("coco", INSTANCES, out, "--config", tmp.toString()), out, "--config", "is a folder");

    // A mistyped key would otherwise run at the default: eps 8 released where the user asked for 4.
    assertRefused(cocoRun("coco", INSTANCES, out, "--conf", "unseg.noise.epss=4"), out, "unseg.noise.epss is not a setting",
        "did you mean unseg.noise.eps?");
    Path typo = Files.writeString(tmp.resolve("typo.conf"), "unseg {\n  output { jpeg-qualty = 90 }\n}\n");
    assertRefused(cocoRun("coco", INSTANCES, out, "--config", typo.toString()), out, "unseg.output.jpeg-qualty",
        "typo.conf: 2", "did you mean unseg.output.jpeg-quality?");

    // A master embedded Spark cannot use, or a standalone master that is not there: internal errors before, the
    // second after a minute of Spark's retries and with the run's settings written.
    assertRefused(cocoRun("coco", INSTANCES, out, "--conf", "unseg.run.master=yarn"), out,
        "unseg.run.master = 'yarn' is not valid", "spark-submit --master yarn");
    assertRefused(cocoRun("coco", INSTANCES, out, "--conf", "unseg.run.master=local[0]"), out,
        "unseg.run.master = 'local[0]' is not valid: it accepts local, local[N] or local[*]");
    assertRefused(cocoRun("coco", INSTANCES, out, "--conf", "unseg.run.master=spark://127.0.0.1:1"), out,
        "cannot reach the Spark master spark://127.0.0.1:1 (unseg.run.master, --master): 127.0.0.1:1: Connection refused");

    // An --output that is a file, or under one: refused at start, not a storage failure to --resume from.
    Path file = Files.writeString(tmp.resolve("release.txt"), "a file");
    assertRefused(cocoRun("coco", INSTANCES, file), out, "release.txt/ is a file: set unseg.output.uri (--output) to a folder");
    assertRefused(cocoRun("coco", INSTANCES, file.resolve("v1")), out, "release.txt is a file, so",
        "release.txt/v1/ cannot be created under it");
    assertEquals("a file", Files.readString(file));

    // Storage that does not answer (nothing listens on port 1): refused at start, one line.
    assertRefused(Cli.protect("--format", "ade20k", "--images", "s3a://nowhere/raw/images/", "--annotations",
        "s3a://nowhere/raw/annotations/", "--output", out.toString(), "--conf", "spark.hadoop.fs.s3a.endpoint=http://127.0.0.1:1",
        "--conf", "spark.hadoop.fs.s3a.path.style.access=true", "--conf", "spark.hadoop.fs.s3a.access.key=a",
        "--conf", "spark.hadoop.fs.s3a.secret.key=b", "--conf", "spark.hadoop.fs.s3a.endpoint.region=us-east-1",
        "--conf", "spark.hadoop.fs.s3a.attempts.maximum=1", "--conf", "spark.hadoop.fs.s3a.retry.limit=1"), out,
        "cannot reach s3a://nowhere/raw/images/", "unseg.input.images", "spark.hadoop.fs.s3a.endpoint");
    org.apache.hadoop.fs.FileSystem.closeAll(); // the S3A instance cached for this endpoint

    // Nothing was written, so the corrected command runs into the same output.
    Cli.Run fixed = cocoRun("coco", INSTANCES, out);
    assertEquals(0, fixed.code(), fixed.err());
    assertTrue(Files.exists(out.resolve("_SUCCESS")));
    assertFalse(Files.exists(out.resolve("_unseg/lease.json")), "the lease is released at the end");
  }

  /**
   * A partial copy of a dataset is not a wrong folder: the full index names 25 images, the folder holds
   * only the last (none of the first 20 the start checks look for), and the run goes on, one row each.
   */
  @Test
  void aPartialCopyOfTheIndexedImagesRuns() throws Exception {
    com.fasterxml.jackson.databind.node.ObjectNode index = (com.fasterxml.jackson.databind.node.ObjectNode) Cli.JSON.readTree(
        Path.of(INSTANCES).toFile());
    com.fasterxml.jackson.databind.JsonNode kept = index.get("images").get(0);
    com.fasterxml.jackson.databind.node.ArrayNode images = index.putArray("images");
    for (int i = 1; i <= 24; i++) {
      images.addObject().put("id", 900_000 + i).put("file_name", "missing_" + i + ".jpg").put("width", 64).put("height", 48);
    }
    images.add(kept);
    Path json = tmp.resolve("instances_full.json");
    Cli.JSON.writeValue(json.toFile(), index);
    Path folder = Files.createDirectories(tmp.resolve("partial"));
    Files.copy(Path.of(IMAGES, kept.get("file_name").asText()), folder.resolve(kept.get("file_name").asText()));
    Path out = tmp.resolve("out");
    Cli.Run run = Cli.protect("--format", "coco", "--images", folder.toString(), "--annotations", json.toString(),
        "--output", out.toString());
    assertEquals(0, run.code(), run.err());
    List<com.fasterxml.jackson.databind.JsonNode> rows = run.inspectRows(out);
    assertEquals(25, rows.size());
    assertEquals(24, rows.stream().filter(r -> "image_missing".equals(r.get("error_code").asText())).count());
  }

  /**
   * An output folder that holds files no run wrote is refused, --overwrite or not: they would ship with the
   * release, and an --overwrite of the run beside them deleted them (measured before this check).
   */
  @Test
  void anOutputHoldingOtherFilesIsRefusedAndKept() throws Exception {
    Path out = Files.createDirectories(tmp.resolve("home/sub"));
    Path precious = Files.writeString(out.resolveSibling("thesis.tex"), "keep me");
    Files.writeString(out.resolveSibling(".DS_Store"), "");
    for (String[] extra : new String[][] {{}, {"--overwrite"}}) {
      Cli.Run r = cocoRun("coco", INSTANCES, out.getParent(), extra);
      assertEquals(2, r.code(), r.err());
      assertTrue(r.err().contains("already holds files that no unseg run wrote (thesis.tex among them)"), r.err());
      assertEquals("keep me", Files.readString(precious));
      try (var left = Files.list(out.getParent())) {
        assertEquals(List.of(".DS_Store", "sub", "thesis.tex"), left.map(p -> p.getFileName().toString()).sorted().toList());
      }
    }
    // Dot files alone (a Finder's .DS_Store) do not make a folder foreign.
    Path finder = Files.createDirectories(tmp.resolve("finder"));
    Files.writeString(finder.resolve(".DS_Store"), "");
    assertEquals(0, cocoRun("coco", INSTANCES, finder).code());
  }

  @Test
  void resumingWithAnotherKeyIsRefused() throws Exception {
    Path out = tmp.resolve("out");
    assertEquals(0, cocoRun("coco", INSTANCES, out, "--conf", "unseg.generator.key=first-key").code());
    String settings = Files.readString(out.resolve("_unseg/settings.json"));
    assertTrue(settings.contains("unseg.generator.key-fingerprint"), settings);
    assertFalse(settings.contains("first-key"), "the key itself is never written");
    Files.delete(out.resolve("_SUCCESS")); // as if the run had died
    Map<String, String> before = Datasets.contentTree(out);

    Cli.Run other = cocoRun("coco", INSTANCES, out, "--resume", "--conf", "unseg.generator.key=second-key");
    assertEquals(2, other.code(), other.err());
    assertTrue(other.err().contains("unseg.generator.key (--key, UNSEG_KEY)") && other.err().contains("another key")
        && other.err().contains("--overwrite"), other.err());
    assertFalse(other.err().contains("second-key") || other.err().contains("first-key"), "keys are never shown: " + other.err());
    assertEquals(before, Datasets.contentTree(out), "a refused resume changes nothing");

    Cli.Run same = cocoRun("coco", INSTANCES, out, "--resume", "--conf", "unseg.generator.key=first-key");
    assertEquals(0, same.code(), same.err());
    assertTrue(Files.exists(out.resolve("_SUCCESS")));
  }

  @Test
  void resumingWithAnotherJpegCodecIsRefused() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(dev.unseg.pipeline.image.JpegCodec.turboUnavailableReason() == null,
        "needs libturbojpeg (CI installs libturbojpeg0)");
    Path out = tmp.resolve("out");
    Cli.Run first = cocoRun("coco", INSTANCES, out, "--conf", "unseg.codec.jpeg=imageio");
    assertEquals(0, first.code(), first.err());
    assertTrue(first.err().contains("JPEG codec: ImageIO") || first.out().contains("JPEG codec: ImageIO"),
        first.err());
    assertTrue(Files.readString(out.resolve("_unseg/settings.json")).contains("\"unseg.codec.jpeg\" : \"imageio\""));
    Files.delete(out.resolve("_SUCCESS")); // as if the run had died
    Map<String, String> before = Datasets.contentTree(out);

    Cli.Run other = cocoRun("coco", INSTANCES, out, "--resume", "--conf", "unseg.codec.jpeg=turbo");
    assertEquals(2, other.code(), other.err());
    assertTrue(other.err().contains("unseg.codec.jpeg: the run in --output used 'imageio', this run 'turbo'"),
        other.err());
    assertEquals(before, Datasets.contentTree(out), "a refused resume changes nothing");
  }

  /**
   * A run recorded its JPEG quality as a number before "same" was a value (as a string since), and 95 was the
   * default then: it resumes with --jpeg-quality 95, and the default now, "same", is refused, naming the key.
   */
  @Test
  void resumingWithAnotherJpegQualityIsRefused() throws Exception {
    Path out = tmp.resolve("out");
    assertEquals(0, cocoRun("coco", INSTANCES, out, "--jpeg-quality", "95").code());
    Path settings = out.resolve("_unseg/settings.json");
    String spec = Files.readString(settings);
    assertTrue(spec.contains("\"unseg.output.jpeg-quality\" : \"95\""), spec);
    Files.writeString(settings, spec.replace("\"unseg.output.jpeg-quality\" : \"95\"", "\"unseg.output.jpeg-quality\" : 95"));
    Files.delete(out.resolve("_SUCCESS")); // as if the run had died
    Map<String, String> before = Datasets.contentTree(out);

    Cli.Run other = cocoRun("coco", INSTANCES, out, "--resume");
    assertEquals(2, other.code(), other.err());
    assertTrue(other.err().contains("unseg.output.jpeg-quality: the run in --output used '95', this run 'same'"), other.err());
    assertEquals(before, Datasets.contentTree(out), "a refused resume changes nothing");
    Cli.Run resumed = cocoRun("coco", INSTANCES, out, "--resume", "--jpeg-quality", "95");
    assertEquals(0, resumed.code(), resumed.err());
  }

  /**
   * The generator's design decides the noise: a run made with the cells design (or before the design was a
   * setting: its spec lacks the key) resumes only with cells, and says which key to set.
   */
  @Test
  void resumingWithAnotherGeneratorDesignIsRefused() throws Exception {
    Path out = tmp.resolve("out");
    Cli.Run first = cocoRun("coco", INSTANCES, out, "--conf", "unseg.generator.synthetic.design=cells");
    assertEquals(0, first.code(), first.err());
    Path settings = out.resolve("_unseg/settings.json");
    String spec = Files.readString(settings);
    assertTrue(spec.contains("\"unseg.generator.synthetic.design\" : \"cells\""), spec);
    // As an older version wrote it, without the key.
    Files.writeString(settings, spec.replaceAll("\\s*\"unseg.generator.synthetic.design\" : \"cells\",", ""));
    assertFalse(Files.readString(settings).contains("synthetic.design"));
    Files.delete(out.resolve("_SUCCESS")); // as if the run had died
    Map<String, String> before = Datasets.contentTree(out);

    Cli.Run other = cocoRun("coco", INSTANCES, out, "--resume", "--conf", "unseg.generator.synthetic.design=octaves");
    assertEquals(2, other.code(), other.err());
    assertTrue(other.err().contains("unseg.generator.synthetic.design: the run in --output used 'cells', this run 'octaves'"),
        other.err());
    assertEquals(before, Datasets.contentTree(out), "a refused resume changes nothing");
    Cli.Run same = cocoRun("coco", INSTANCES, out, "--resume", "--conf", "unseg.generator.synthetic.design=cells");
    assertEquals(0, same.code(), same.err());
  }

  /** A heap below Spark's floor: one line naming UNSEG_DRIVER_MEMORY, not Spark's INVALID_DRIVER_MEMORY as an internal error. */
  @Test
  void aHeapTooSmallForSparkIsRefused() throws Exception {
    Path out = tmp.resolve("out");
    List<String> cmd = new ArrayList<>(ChildProcess.java("256m", System.getProperty("java.class.path"), "dev.unseg.jobs.cli.UnsegCli",
        "protect", "--format", "coco", "--images", IMAGES, "--annotations", INSTANCES, "--output", out.toString(), "--key", "k"));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String console = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(2, TimeUnit.MINUTES));
    assertEquals(2, p.exitValue(), console);
    assertTrue(console.contains("MiB of heap and Spark needs at least 450 MiB") && console.contains("UNSEG_DRIVER_MEMORY"), console);
    assertFalse(Files.exists(out));
  }

  /** A run in another JVM holds the output; a second run (fresh, --resume or --overwrite) is refused meanwhile. */
  @Test
  void aSecondRunIsRefusedWhileTheFirstHoldsTheOutput() throws Exception {
    Path data = tmp.resolve("data");
    Datasets.dataset(data, 0, 24, 96);
    Path out = tmp.resolve("out");
    List<String> cmd = new ArrayList<>(ChildProcess.java("768m", System.getProperty("java.class.path"), "dev.unseg.jobs.cli.UnsegCli", "protect"));
    cmd.addAll(List.of(Datasets.protectArgs(data, out, "--run-id", "first", "--key", "test-key", "--master", "local[1]",
        "--conf", "spark.ui.enabled=false", "--conf", "unseg.partitions.size=2", "--conf", "unseg.pipeline.threads=1",
        "--conf", "unseg.run.lease-expiry=2s")));
    Process first = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("first.txt").toFile()).start();
    try {
      Path lease = out.resolve("_unseg/lease.json");
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
      while (!Files.exists(lease) && first.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertTrue(Files.exists(lease), "the first run takes a lease: " + Files.readString(tmp.resolve("first.txt")));
      String taken = Files.readString(lease);
      assertTrue(taken.contains("\"run_id\":\"first\""), taken);
      for (String[] flags : List.of(new String[0], new String[] {"--resume"}, new String[] {"--overwrite"})) {
        Cli.Run second = Cli.protect(Datasets.protectArgs(data, out, flags));
        assertEquals(2, second.code(), second.err());
        assertTrue(second.err().contains("is in use by run first") && second.err().contains("choose another --output"),
            second.err());
      }
      // The heartbeat renews the lease while the run lasts (every quarter of its 2 s expiry).
      String renewed = taken;
      for (int i = 0; i < 300 && renewed.equals(taken) && first.isAlive(); i++) {
        Thread.sleep(20);
        renewed = Files.exists(lease) ? Files.readString(lease) : taken;
      }
      assertFalse(renewed.equals(taken) && first.isAlive(), "the heartbeat never renewed the lease");
      assertTrue(first.waitFor(5, TimeUnit.MINUTES), "the first run did not finish");
    } finally {
      first.destroyForcibly();
    }
    String log = Files.readString(tmp.resolve("first.txt"), StandardCharsets.UTF_8);
    assertEquals(0, first.exitValue(), log);
    assertTrue(Files.exists(out.resolve("_SUCCESS")), log);
    assertEquals(24, Cli.inspectRows(out).size());
    assertTrue(Cli.inspectRows(out).stream().allMatch(r -> r.get("run_id").asText().equals("first")));
    assertFalse(Files.exists(out.resolve("_unseg/lease.json")));
  }

  /** A lease left by a driver that died: refused while live; once expired, --resume takes it over and says so. */
  @Test
  void anExpiredLeaseIsTakenOverOnlyByResume() throws Exception {
    Path out = tmp.resolve("out");
    Files.createDirectories(out.resolve("_unseg"));
    Instant beat = Instant.now().minusSeconds(600);
    Files.writeString(out.resolve("_unseg/lease.json"), "{\"run_id\":\"dead\",\"host\":\"elsewhere\",\"pid\":7,"
        + "\"acquired_at\":\"" + beat + "\",\"heartbeat_at\":\"" + beat + "\"}");
    Map<String, String> before = Datasets.contentTree(out);
    Cli.Run plain = cocoRun("coco", INSTANCES, out);
    assertEquals(2, plain.code(), plain.err());
    assertTrue(plain.err().contains("run dead") && plain.err().contains("--resume"), plain.err());
    Cli.Run live = cocoRun("coco", INSTANCES, out, "--resume", "--conf", "unseg.run.lease-expiry=1h");
    assertEquals(2, live.code(), live.err());
    assertTrue(live.err().contains("is in use by run dead"), live.err());
    assertEquals(before, Datasets.contentTree(out), "refused runs change nothing");

    Cli.Run resumed = cocoRun("coco", INSTANCES, out, "--resume");
    assertEquals(0, resumed.code(), resumed.err());
    assertTrue(resumed.err().contains("taking over the output from run dead (host elsewhere"), resumed.err());
    assertTrue(Files.exists(out.resolve("_SUCCESS")));
  }
}
