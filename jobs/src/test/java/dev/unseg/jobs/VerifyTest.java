package dev.unseg.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unseg.jobs.testing.Cli;
import dev.unseg.jobs.testing.Datasets;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 6: unseg verify passes a clean run and reports a tampered output, a deleted output and a deleted row. */
class VerifyTest {
  @TempDir Path tmp;

  @Test
  void cleanRunsVerify() throws Exception {
    Path data = tmp.resolve("data");
    Datasets.dataset(data, 0, 8, 64);
    Path out = tmp.resolve("out");
    assertEquals(0, Cli.protect(Datasets.protectArgs(data, out)).code());
    Cli.Run plain = verify("--output", out.toString());
    assertEquals(0, plain.code(), plain.out() + plain.err());
    assertTrue(plain.out().contains("verified") && plain.out().contains("8 manifest rows"), plain.out());
    Cli.Run full = verify("--output", out.toString(), "--originals", data.resolve("images").toString());
    assertEquals(0, full.code(), full.out() + full.err());
    // The dataset's root instead of its images folder: one line naming the folder the run read, not 16 mismatches.
    Cli.Run root = verify("--output", out.toString(), "--originals", data.toString());
    assertEquals(2, root.code(), root.out() + root.err());
    assertTrue(root.err().contains("holds none of the first 8 images the manifest names")
        && root.err().contains(dev.unseg.jobs.io.Locations.qualify(data.resolve("images").toString()).toString()), root.err());

    // COCO: JPEG outputs are checked against the L-inf their rows recorded.
    Path coco = tmp.resolve("coco-out");
    assertEquals(0, Cli.protect("--format", "coco", "--images", Cli.SAMPLES.resolve("coco/val2017").toString(),
        "--annotations", Cli.SAMPLES.resolve("coco/annotations/instances_sample.json").toString(),
        "--output", coco.toString(), "--select", "things").code());
    Cli.Run cocoVerify = verify("--output", coco.toString(), "--originals",
        Cli.SAMPLES.resolve("coco/val2017").toString());
    assertEquals(0, cocoVerify.code(), cocoVerify.out() + cocoVerify.err());

    // A panoptic index and its PNGs inside the images folder: copied into the release's images folder, and
    // not taken for images no row wrote.
    Path flat = Files.createDirectories(tmp.resolve("flat"));
    try (Stream<Path> photos = Files.list(Cli.SAMPLES.resolve("coco/val2017"))) {
      for (Path p : photos.toList()) {
        Files.copy(p, flat.resolve(p.getFileName().toString()));
      }
    }
    Path pngs = Files.createDirectories(flat.resolve("panoptic_sample"));
    try (Stream<Path> masks = Files.list(Cli.SAMPLES.resolve("coco/annotations/panoptic_sample"))) {
      for (Path p : masks.toList()) {
        Files.copy(p, pngs.resolve(p.getFileName().toString()));
      }
    }
    Files.copy(Cli.SAMPLES.resolve("coco/annotations/panoptic_sample.json"), flat.resolve("panoptic_sample.json"));
    Path panoptic = tmp.resolve("panoptic-out");
    assertEquals(0, Cli.protect("--format", "coco-panoptic", "--images", flat.toString(), "--annotations",
        flat.resolve("panoptic_sample.json").toString(), "--output", panoptic.toString()).code());
    assertTrue(Files.exists(panoptic.resolve("panoptic_sample/000000142238.png")));
    Cli.Run panopticVerify = verify("--output", panoptic.toString());
    assertEquals(0, panopticVerify.code(), panopticVerify.out() + panopticVerify.err());
  }

  @Test
  void tamperedDeletedAndUnrecordedOutputsAreReported() throws Exception {
    Path data = tmp.resolve("data");
    Datasets.dataset(data, 0, 8, 64);
    Path out = tmp.resolve("out");
    assertEquals(0, Cli.protect(Datasets.protectArgs(data, out)).code());
    String originals = data.resolve("images").toString();

    // Tampered: one PNG output gets +30 on a pixel (beyond any bound), re-encoded.
    Path png = out.resolve("images/img_0001.png");
    BufferedImage img = ImageIO.read(png.toFile());
    int rgb = img.getRGB(5, 5);
    img.setRGB(5, 5, (rgb & 0xFF00FFFF) | ((Math.min(255, ((rgb >> 16) & 0xFF) + 30)) << 16));
    ImageIO.write(img, "png", png.toFile());
    Cli.Run tampered = verify("--output", out.toString(), "--originals", originals);
    assertEquals(1, tampered.code(), tampered.out());
    assertTrue(mismatch(tampered, "images/img_0001.png", "SHA-256"), tampered.out());
    assertTrue(mismatch(tampered, "images/img_0001.png", "|out - original| reaches"), tampered.out());

    // Deleted output.
    Files.delete(out.resolve("images/img_0002.jpg"));
    Cli.Run deleted = verify("--output", out.toString());
    assertEquals(1, deleted.code(), deleted.out());
    assertTrue(mismatch(deleted, "images/img_0002.jpg", "output missing"), deleted.out());

    // A manifest row deleted: the counts catch it without the originals, the index with them.
    dropManifestRow(out, "img_0003.png");
    Cli.Run counted = verify("--output", out.toString());
    assertEquals(1, counted.code());
    assertTrue(counted.out().contains("the manifest has 7 rows but the run planned 8"), counted.out());
    Cli.Run indexed = verify("--output", out.toString(), "--originals", originals);
    assertEquals(1, indexed.code());
    assertTrue(mismatch(indexed, "img_0003.png", "no manifest row"), indexed.out());
    assertTrue(indexed.err().contains("verify found"), indexed.err());
    // Its output is still in the release, now written by no row.
    assertTrue(mismatch(counted, "images/img_0003.png", "no manifest row wrote"), counted.out());

    // An original copied into the release by hand, in a folder of its own: unprotected, so reported.
    Files.createDirectories(out.resolve("images/extra"));
    Files.copy(data.resolve("images/img_0002.jpg"), out.resolve("images/extra/img_0002.jpg"));
    Files.writeString(out.resolve("images/README.txt"), "not an image");
    // And beside the images folder: the release is the whole output.
    Files.createDirectories(out.resolve("preview"));
    Files.copy(data.resolve("images/img_0001.png"), out.resolve("preview/img_0001.png"));
    Files.copy(data.resolve("images/img_0001.png"), out.resolve("cover.png"));
    Cli.Run stray = verify("--output", out.toString());
    assertEquals(1, stray.code(), stray.out());
    assertTrue(mismatch(stray, "images/extra/img_0002.jpg", "no manifest row wrote, so not protected by this run"),
        stray.out());
    assertTrue(mismatch(stray, "preview/img_0001.png", "no manifest row wrote") && mismatch(stray, "cover.png", "no manifest row wrote"),
        stray.out());
    assertTrue(!stray.out().contains("README.txt") && !stray.out().contains("masks/"), stray.out());
  }

  /** A mask edited after the run: verify --originals names it and the fix, also for a manifest without prompt_sha256. */
  @Test
  void anAnnotationEditedSinceTheRunIsReported() throws Exception {
    Path data = tmp.resolve("data");
    Datasets.dataset(data, 0, 4, 64);
    Path out = tmp.resolve("out");
    Path unannotated = data.resolve("masks/img_0003.png");
    byte[] objects = Files.readAllBytes(unannotated);
    ImageIO.write(new BufferedImage(ImageIO.read(unannotated.toFile()).getWidth(), ImageIO.read(unannotated.toFile()).getHeight(),
        BufferedImage.TYPE_BYTE_GRAY), "png", unannotated.toFile()); // no object: released unchanged (no_mask)
    assertEquals(0, Cli.protect(Datasets.protectArgs(data, out)).code());
    Datasets.eraseLeftHalf(data.resolve("masks/img_0001.png"), data.resolve("masks/img_0001.png"));
    Files.write(unannotated, objects);
    String originals = data.resolve("images").toString();
    Cli.Run edited = verify("--output", out.toString(), "--originals", originals);
    assertEquals(1, edited.code(), edited.out());
    assertTrue(mismatch(edited, "images/img_0001.png", "the annotation of img_0001.png (img_0001.png) makes another mask now"
        + " than the one the run protected it with (its row's prompt_sha256): edited since the run; protect with --resume"),
        edited.out());
    assertTrue(mismatch(edited, "images/img_0003.png", "the annotation of img_0003.png (img_0003.png) has objects now, none"
        + " when the run released the image unchanged (no_mask): annotated since the run"), edited.out());
    // A release written before rows had prompt_sha256: the eps region's size still tells.
    rewriteManifest(out, r -> r.drop("prompt_sha256"));
    Cli.Run older = verify("--output", out.toString(), "--originals", originals);
    assertEquals(1, older.code(), older.out());
    assertTrue(mismatch(older, "images/img_0001.png", "the recomputed eps region has"), older.out());
  }

  /**
   * Issue 14: verify plans the originals from the run's own spec (_unseg/settings.json), not from the
   * defaults: a run with a raised unseg.limits.max-pixels once failed verify. Here the run raises it; then
   * the spec's limit is lowered below the images' size by hand, and verify must apply it.
   */
  @Test
  void verifyAppliesTheRunsOwnLimitsFromItsSpec() throws Exception {
    Path data = tmp.resolve("data");
    Datasets.dataset(data, 0, 4, 64);
    Path out = tmp.resolve("out");
    assertEquals(0, Cli.protect(Datasets.protectArgs(data, out, "--conf", "unseg.limits.max-pixels=200000000")).code());
    Path settings = out.resolve("_unseg/settings.json");
    String spec = Files.readString(settings);
    assertTrue(spec.contains("\"unseg.limits.max-pixels\" : 200000000"), spec);
    String originals = data.resolve("images").toString();
    Cli.Run full = verify("--output", out.toString(), "--originals", originals);
    assertEquals(0, full.code(), full.out() + full.err());

    Files.writeString(settings, spec.replace("200000000", "1000"));
    Cli.Run lowered = verify("--output", out.toString(), "--originals", originals);
    assertEquals(1, lowered.code(), lowered.out());
    assertTrue(lowered.out().contains("1000"), "verify decoded the originals under the spec's limit: " + lowered.out());
  }

  private static boolean mismatch(Cli.Run run, String path, String what) {
    return run.out().lines().anyMatch(l -> l.startsWith("MISMATCH " + path) && l.contains(what));
  }

  /** Rewrites the manifest without one image's row, with a Spark of the test's own. */
  private static void dropManifestRow(Path out, String inputPath) throws Exception {
    rewriteManifest(out, m -> m.where("input_path <> '" + inputPath + "'"));
    List<JsonNode> rows = Cli.inspectRows(out);
    assertEquals(7, rows.size());
  }

  private static void rewriteManifest(Path out,
      java.util.function.UnaryOperator<org.apache.spark.sql.Dataset<org.apache.spark.sql.Row>> change) throws Exception {
    Path manifest = out.resolve("_unseg/manifest");
    Path rewritten = out.resolve("_unseg/manifest-rewritten");
    SparkSession spark = SparkSession.builder().master("local[1]").appName("test").config("spark.ui.enabled", "false").getOrCreate();
    try {
      change.apply(spark.read().parquet(manifest.toString())).write().parquet(rewritten.toString());
    } finally {
      spark.stop();
    }
    try (Stream<Path> files = Files.walk(manifest)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
    Files.move(rewritten, manifest);
  }

  private static Cli.Run verify(String... args) throws Exception {
    return Cli.runCli(Stream.concat(Stream.of("verify"), Stream.concat(Stream.of(args),
        Stream.of("--master", "local[2]", "--conf", "spark.ui.enabled=false"))).toArray(String[]::new));
  }
}
