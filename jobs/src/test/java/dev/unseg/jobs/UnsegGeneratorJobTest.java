package dev.unseg.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unseg.jobs.testing.Cli;
import dev.unseg.pipeline.audit.Sha256;
import java.awt.image.Raster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The protect job with {@code --generator unseg} and the TorchScript fixture model (DJL, libtorch on
 * the CPU), end to end through the CLI on embedded Spark, against the PyTorch reference of the whole
 * contract made by {@code jobs/src/test/python/make_unseg_reference.py} on the same real photos.
 *
 * <p>One run serves the reference and the load-count checks: 24 images (8 copies of each of 3 photos)
 * over 12 partitions on {@code local[2]}, so one executor JVM runs many tasks and must load the model
 * once.
 */
class UnsegGeneratorJobTest {
  static final Path SAMPLES = Cli.SAMPLES;
  static final Path FIXTURE = Paths.get("..", "pipeline", "src", "test", "resources", "torchscript", "fixture_generator.pt")
      .toAbsolutePath().normalize();
  static final Path REFERENCE = Paths.get("src", "test", "resources", "unseg-reference").toAbsolutePath();
  static final int COPIES = 8;

  /** File stem in the run -> (image, mask) in samples/ and the reference case. */
  record Photo(String stem, Path image, Path mask, String referenceCase) {}

  static final List<Photo> PHOTOS = List.of(
      // rocket.jpg decoded by Pillow, stored as PNG: the JPEG's Adobe RGB profile makes Java's and
      // Pillow's decodes differ by up to 55 levels (see make_unseg_reference.py), which is not the
      // generator's business.
      new Photo("rocket", Paths.get("..", "pipeline", "src", "test", "resources", "composite", "rocket.png").toAbsolutePath().normalize(),
          SAMPLES.resolve("tiles/masks/rocket.png"), "tiles/rocket"),
      new Photo("chelsea", SAMPLES.resolve("tiles/images/chelsea.png"), SAMPLES.resolve("tiles/masks/chelsea.png"), "tiles/chelsea"),
      // An ADE20K photo with its label map as a mask-pairs mask: nonzero = labelled, ADE20K's own rule.
      new Photo("ADE_val_00000003", SAMPLES.resolve("ade20k/images/validation/ADE_val_00000003.jpg"),
          SAMPLES.resolve("ade20k/annotations/validation/ADE_val_00000003.png"), "ade20k/ADE_val_00000003"));

  @TempDir static Path tmp;
  static Path images;
  static Path masks;
  static Path model;
  static Path out;
  static Cli.Run run;
  static List<JsonNode> rows;
  static JsonNode reference;

  @BeforeAll
  static void protectWithTheFixtureModel() throws Exception {
    reference = Cli.JSON.readTree(REFERENCE.resolve("reference.json").toFile());
    images = Files.createDirectories(tmp.resolve("in/images"));
    masks = Files.createDirectories(tmp.resolve("in/masks"));
    for (Photo p : PHOTOS) {
      String ext = p.image().getFileName().toString().substring(p.image().getFileName().toString().lastIndexOf('.'));
      for (int k = 0; k < COPIES; k++) {
        Files.copy(p.image(), images.resolve(p.stem() + "_" + k + ext));
        Files.copy(p.mask(), masks.resolve(p.stem() + "_" + k + ".png"));
      }
    }
    // A copy under a path of its own: a fresh GeneratorCache key, so this run's load is counted here
    // even when other tests of this JVM loaded the fixture before.
    model = Files.copy(FIXTURE, Files.createDirectories(tmp.resolve("model")).resolve("fixture_generator.pt"));
    out = tmp.resolve("out");
    run = Cli.protect("--format", "mask-pairs", "--images", images.toString(), "--annotations", masks.toString(),
        "--output", out.toString(), "--output-format", "png", "--generator", "unseg", "--model", model.toString(),
        "--model-sha256", reference.get("modelSha256").asText(), "--partitions", "12");
    assertEquals(0, run.code(), run.err());
    rows = Cli.inspectRows(out);
  }

  @Test
  void everyPixelWithinOneGreyLevelOfPyTorch() throws Exception {
    assertEquals(PHOTOS.size() * COPIES, rows.size());
    assertWithinOneGreyLevel(rows, out, REFERENCE);
  }

  /**
   * A trained generator's tanh saturates: a float32 tanh is exactly +-1.0 beyond about +-9, which the
   * contract allows (the bound holds there). The saturating fixture gives +-1.0 for about 3/4 of its values;
   * every image must be protected and match PyTorch's output of the same model.
   */
  @Test
  void aSaturatingGeneratorProtectsEveryImageLikePyTorch() throws Exception {
    Path saturatingReference = REFERENCE.resolve("saturating");
    JsonNode meta = Cli.JSON.readTree(saturatingReference.resolve("reference.json").toFile());
    for (JsonNode c : meta.get("cases")) {
      assertTrue(c.get("noiseSaturated").asLong() > 100_000, "the fixture must saturate: " + c);
    }
    Path saturating = FIXTURE.resolveSibling("saturating_generator.pt");
    assertEquals(meta.get("modelSha256").asText(), Sha256.hex(Files.readAllBytes(saturating)),
        "saturating/reference.json was made with another fixture: rerun the script");
    Path target = tmp.resolve("saturating-out");
    Cli.Run r = Cli.protect("--format", "mask-pairs", "--images", images.toString(),
        "--annotations", masks.toString(), "--output", target.toString(), "--output-format", "png",
        "--generator", "unseg", "--model", saturating.toString());
    assertEquals(0, r.code(), r.err());
    List<JsonNode> saturatedRows = Cli.inspectRows(target);
    assertEquals(PHOTOS.size() * COPIES, saturatedRows.size());
    assertWithinOneGreyLevel(saturatedRows, target, saturatingReference);
    for (JsonNode row : saturatedRows) {
      // Saturated noise spends the whole budget: the bound is reached, never passed.
      assertEquals(8, row.get("linf_inside").asInt(), row.toString());
      assertEquals(2, row.get("linf_outside").asInt(), row.toString());
    }
  }

  private static void assertWithinOneGreyLevel(List<JsonNode> rows, Path output, Path referenceDir) throws Exception {
    Map<String, Integer> worst = new LinkedHashMap<>();
    Map<String, Long> off = new LinkedHashMap<>();
    for (JsonNode row : rows) {
      assertEquals("protected", row.get("status").asText(), row.toString());
      String stem = row.get("input_path").asText().replaceFirst("_\\d+\\.\\w+$", "");
      Photo photo = PHOTOS.stream().filter(p -> p.stem().equals(stem)).findFirst().orElseThrow();
      Raster expected = ImageIO.read(referenceDir.resolve(photo.referenceCase() + ".png").toFile()).getRaster();
      Raster actual = ImageIO.read(output.resolve("images").resolve(row.get("output_path").asText()).toFile()).getRaster();
      assertEquals(expected.getWidth(), actual.getWidth());
      assertEquals(expected.getHeight(), actual.getHeight());
      int max = 0;
      long differing = 0;
      for (int y = 0; y < expected.getHeight(); y++) {
        for (int x = 0; x < expected.getWidth(); x++) {
          for (int b = 0; b < 3; b++) {
            int d = Math.abs(expected.getSample(x, y, b) - actual.getSample(x, y, b));
            max = Math.max(max, d);
            differing += d > 0 ? 1 : 0;
          }
        }
      }
      assertTrue(max <= 1, row.get("input_path").asText() + ": a pixel differs from PyTorch's by " + max + " grey levels");
      worst.merge(stem, max, Math::max);
      off.merge(stem, differing, Math::max);
    }
    // Reported, not asserted: how far from bit-exact the DJL/libtorch 2.5.1 run is from torch 1.13.
    System.out.println("unseg vs PyTorch reference " + referenceDir.getFileName() + ", largest |diff| per photo " + worst
        + ", values differing " + off);
  }

  @Test
  void everyRowRecordsTheModelDigest() throws Exception {
    String digest = Sha256.hex(Files.readAllBytes(FIXTURE));
    assertEquals(reference.get("modelSha256").asText(), digest, "reference.json was made with another fixture: rerun the script");
    for (JsonNode row : rows) {
      assertEquals(digest, row.get("model_digest").asText(), row.toString());
      assertEquals("unseg-torchscript", row.get("generator_id").asText());
    }
    JsonNode summary = Cli.JSON.readTree(out.resolve("_unseg/summary.json").toFile());
    assertEquals(digest, summary.get("generators").get(0).get("model_digest").asText());
  }

  @Test
  void oneModelLoadForManyPartitions() throws Exception {
    Set<Integer> partitions = new HashSet<>();
    rows.forEach(r -> partitions.add(r.get("partition_id").asInt()));
    assertTrue(partitions.size() >= 6, "the run should spread over many tasks, got partitions " + partitions);
    JsonNode summary = Cli.JSON.readTree(out.resolve("_unseg/summary.json").toFile());
    assertEquals(1, summary.get("generator_loads").asLong(),
        "local[2] is one executor JVM: " + partitions.size() + " tasks must share one model load");
  }

  /**
   * The run spec records the model file's digest though none was given, so that --resume refuses another file
   * at the same path (it resumed, mixing two generators' noise in one release).
   */
  @Test
  void resumeRefusesAnotherModelFileAtTheSamePath() throws Exception {
    Path copy = Files.copy(FIXTURE, tmp.resolve("model.pt"));
    Path target = tmp.resolve("resume-out");
    String[] args = {"--format", "mask-pairs", "--images", images.toString(), "--annotations", masks.toString(),
        "--output", target.toString(), "--generator", "unseg", "--model", copy.toString()};
    assertEquals(0, Cli.protect(args).code());
    JsonNode spec = Cli.JSON.readTree(target.resolve("_unseg/settings.json").toFile());
    assertEquals(reference.get("modelSha256").asText(), spec.get("unseg.generator.model-sha256").asText());
    Files.copy(FIXTURE.resolveSibling("saturating_generator.pt"), copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Cli.Run resumed = Cli.protect(java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of("--resume"))
        .toArray(String[]::new));
    assertEquals(2, resumed.code(), resumed.err());
    assertTrue(resumed.err().contains("unseg.generator.model-sha256: the run in --output used '"
        + reference.get("modelSha256").asText() + "'"), resumed.err());
  }

  @Test
  void digestMismatchRefusesToStart() throws Exception {
    Path target = tmp.resolve("mismatch-out");
    String other = Sha256.hex(Files.readAllBytes(FIXTURE.resolveSibling("out_of_range.pt")));
    Cli.Run r = Cli.protect("--format", "mask-pairs", "--images", images.toString(),
        "--annotations", masks.toString(), "--output", target.toString(), "--generator", "unseg",
        "--model", model.toString(), "--model-sha256", other);
    assertEquals(2, r.code(), r.err());
    String actual = reference.get("modelSha256").asText();
    assertTrue(r.err().contains("unseg.generator.model-sha256") && r.err().contains(other) && r.err().contains(actual), r.err());
    assertFalse(Files.exists(target), "nothing may be written when the run is refused");
  }

  /**
   * --device gpu where libtorch has no CUDA (the CPU jars the tests run with): embedded Spark loads the
   * generator before anything is written, so the run is refused with the generator's own message and fix,
   * exit 2, instead of every task failing into "internal error: SparkException ...".
   */
  @Test
  void aGpuWithoutCudaIsARefusedStart() throws Exception {
    Path target = tmp.resolve("gpu-out");
    Cli.Run r = Cli.protect("--format", "mask-pairs", "--images", images.toString(), "--annotations", masks.toString(),
        "--output", target.toString(), "--generator", "unseg", "--model", model.toString(), "--device", "gpu");
    assertEquals(2, r.code(), r.err());
    String last = r.err().strip().lines().reduce((a, b) -> b).orElse("");
    assertTrue(last.startsWith("unseg: unseg.generator.device=gpu:0 but"), r.err());
    assertTrue(last.contains("set unseg.generator.device=cpu") && last.endsWith("Nothing was written."), last);
    assertFalse(r.err().contains("internal error") || r.err().contains("Exception"), r.err());
    assertFalse(Files.exists(target), "nothing may be written when the run is refused");
  }

  @Test
  void unsegWithoutModelIsRefused() throws Exception {
    Cli.Run r = Cli.protect("--format", "mask-pairs", "--images", images.toString(),
        "--annotations", masks.toString(), "--output", tmp.resolve("no-model-out").toString(), "--generator", "unseg");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("unseg.generator.model") && r.err().contains("--model"), r.err());
  }

  @Test
  void missingModelFileNamesTheKey() throws Exception {
    Path missing = tmp.resolve("nowhere/generator.pt");
    Path target = tmp.resolve("missing-model-out");
    Cli.Run r = Cli.protect("--format", "mask-pairs", "--images", images.toString(),
        "--annotations", masks.toString(), "--output", target.toString(), "--generator", "unseg",
        "--model", missing.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("unseg.generator.model") && r.err().contains(missing.toString()), r.err());
    assertFalse(Files.exists(target));
  }
}
