package dev.unseg.jobs.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Is the probe trustworthy? On a CI-sized synthetic dataset made from the real photos in samples/,
 * each side trained twice (seeds 1 and 2, so the run-to-run noise is measured): a "protected" copy
 * equal to the clean one reproduces the clean trainings exactly (no drop); noise of the same
 * amplitude inside and outside the mask (no mask information) moves the object IoU by no more than
 * that noise; a label-keyed colour patch inside the mask (a deliberate shortcut) drops it a lot.
 * Compare with shared/design/EFFICACY.md: 0.440 -> 0.423 for +-8 noise everywhere, 0.440 -> 0.018
 * for a fixed colour patch inside the mask.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProbeTrustTest {
  private static final int SIZE = 64;
  private static final ProbeSettings PROBE = new ProbeSettings(20, 8, 2e-3f, 16, 1);
  private static final int REPEATS = 2;
  @TempDir static Path tmp;
  private static Path images;
  private static Path masks;
  private static List<Curve> clean;
  /** Run-to-run spread of the clean object IoU, from the first test. */
  private static double cleanSpread;

  @BeforeAll
  static void dataset() throws IOException {
    Path data = tmp.resolve("data");
    new SyntheticDataset(SyntheticDataset.readPhotos(List.of(Path.of("../samples"))), SIZE, 3).write(data, 300);
    images = data.resolve("images");
    masks = data.resolve("masks");
  }

  @Test
  @Order(1)
  void identicalCopyGivesTheSameTrainingAndNoDrop() throws Exception {
    EvaluationResult r = evaluate("identical", (img, mask, rnd) -> { });
    clean = r.cleanRuns();
    cleanSpread = r.objectIouSpread();
    System.out.println("identical: " + summary(r));
    assertTrue(r.objectIouClean() > 0.25, "the probe must learn the objects from clean data: " + summary(r));
    // Same seeds, same data order, same pixels: the trainings are the same, to the bit.
    for (int k = 0; k < REPEATS; k++) {
      assertEquals(r.cleanRuns().get(k).loss(), r.protectedRuns().get(k).loss());
    }
    assertEquals(0.0, r.objectDrop(), 1e-12);
    // Different seeds do differ: the spread is a measurement, not a constant.
    assertTrue(cleanSpread > 0, summary(r));
    assertEquals(0.0, r.noiseInside(), 0.0);
    Path report = ReportWriter.write(r);
    JsonNode json = new ObjectMapper().readTree(report.resolve("report.json").toFile());
    assertEquals(r.objectIouClean(), json.at("/result/object_iou_clean").asDouble(), 1e-12);
    assertEquals(PROBE.epochs(), json.at("/protected_training/loss").size());
    assertEquals(REPEATS, json.at("/clean_trainings").size());
    assertEquals(2, json.at("/clean_trainings/1/seed").asInt());
    assertTrue(Files.size(report.resolve("curves.png")) > 1000);
    assertTrue(Files.readString(report.resolve("report.html")).contains("triples/0-noise.png"));
  }

  @Test
  @Order(2)
  void noiseWithoutMaskInformationDropsLittle() throws Exception {
    // +-8 per pixel and channel, new for every image, the same inside and outside the mask.
    EvaluationResult r = evaluate("random", (img, mask, rnd) -> {
      for (int y = 0; y < img.getHeight(); y++) {
        for (int x = 0; x < img.getWidth(); x++) {
          img.setRGB(x, y, shift(img.getRGB(x, y), rnd.nextBoolean() ? 8 : -8, rnd.nextBoolean() ? 8 : -8,
              rnd.nextBoolean() ? 8 : -8));
        }
      }
    });
    System.out.println("random noise: " + summary(r));
    assertTrue(r.noiseInside() > 6 && r.noiseOutside() > 6, summary(r));
    // Within the run-to-run noise: the two sides' means differ by no more than the larger spread of
    // trainings from different seeds (either side's), plus half of it again for the error of a mean of two.
    double band = 1.5 * Math.max(cleanSpread, r.objectIouSpread());
    assertTrue(Math.abs(r.objectIouClean() - r.objectIouProtected()) <= band,
        "noise without mask information must not look protective (band " + band + "): " + summary(r));
  }

  @Test
  @Order(3)
  void labelKeyedColourPatchDropsALot() throws Exception {
    // A fixed colour shift (+8, -8, +8) on the object pixels only: the label written into the image.
    EvaluationResult r = evaluate("shortcut", (img, mask, rnd) -> {
      for (int y = 0; y < img.getHeight(); y++) {
        for (int x = 0; x < img.getWidth(); x++) {
          if ((mask.getRGB(x, y) & 0xff) != 0) {
            img.setRGB(x, y, shift(img.getRGB(x, y), 8, -8, 8));
          }
        }
      }
    });
    System.out.println("colour patch: " + summary(r));
    // Measured here: 0.438 -> 0.135 (drop 0.69); EFFICACY.md saw 0.440 -> 0.018 at 128 px.
    assertTrue(r.objectDrop() > 0.5, "a label-keyed shortcut must show a large drop: " + summary(r));
    assertTrue(r.objectIouClean() - r.objectIouProtected() > 3 * r.objectIouSpread(), "far outside the noise: " + summary(r));
    assertTrue(r.miouDrop() > 0.1, summary(r));
  }

  interface Perturbation {
    void apply(BufferedImage image, BufferedImage mask, Random random);
  }

  /** Writes a perturbed copy in the protect job's layout and evaluates it. */
  private static EvaluationResult evaluate(String name, Perturbation p) throws Exception {
    Path root = tmp.resolve(name);
    Path out = Files.createDirectories(root.resolve("images"));
    Random rnd = new Random(11);
    try (var files = Files.list(images)) {
      for (Path f : files.sorted().toList()) {
        BufferedImage img = ImageIO.read(f.toFile());
        BufferedImage mask = ImageIO.read(masks.resolve(f.getFileName()).toFile());
        p.apply(img, mask, rnd);
        ImageIO.write(img, "png", out.resolve(f.getFileName()).toFile());
      }
    }
    EvaluateSettings s = new EvaluateSettings(images, masks, root, 240, 60, SIZE, Defense.parse("none"), PROBE, REPEATS, "trust");
    return new Evaluation(s, System.out).run(clean);
  }

  private static int shift(int rgb, int dr, int dg, int db) {
    return clamp((rgb >> 16 & 255) + dr) << 16 | clamp((rgb >> 8 & 255) + dg) << 8 | clamp((rgb & 255) + db);
  }

  private static int clamp(int v) {
    return Math.max(0, Math.min(255, v));
  }

  private static String summary(EvaluationResult r) {
    return String.format(java.util.Locale.ROOT,
        "object IoU %.3f -> %.3f (drop %.2f, spread %.3f), mIoU %.3f -> %.3f (drop %.2f), noise %.1f/%.1f, runs %s / %s",
        r.objectIouClean(), r.objectIouProtected(), r.objectDrop(), r.objectIouSpread(), r.miouClean(), r.miouProtected(),
        r.miouDrop(), r.noiseInside(), r.noiseOutside(), objects(r.cleanRuns()), objects(r.protectedRuns()));
  }

  private static List<String> objects(List<Curve> runs) {
    return runs.stream().map(c -> String.format(java.util.Locale.ROOT, "%.3f", c.last().object())).toList();
  }
}
