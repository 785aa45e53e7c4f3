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
 * Is the probe trustworthy? On a CI-sized synthetic dataset made from the real photos in samples/:
 * a "protected" copy equal to the clean one reproduces the clean training exactly (no drop); noise
 * of the same amplitude inside and outside the mask (no mask information) drops little; a
 * label-keyed colour patch inside the mask (a deliberate shortcut) drops the object IoU a lot.
 * Compare with shared/design/EFFICACY.md: 0.440 -> 0.423 for +-8 noise everywhere, 0.440 -> 0.018
 * for a fixed colour patch inside the mask.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProbeTrustTest {
  private static final int SIZE = 64;
  private static final ProbeSettings PROBE = new ProbeSettings(5, 16, 2e-3f, 8, 1);
  @TempDir static Path tmp;
  private static Path images;
  private static Path masks;
  private static Curve clean;

  @BeforeAll
  static void dataset() throws IOException {
    Path data = tmp.resolve("data");
    new SyntheticDataset(SyntheticDataset.readPhotos(List.of(Path.of("../samples"))), SIZE, 3).write(data, 200);
    images = data.resolve("images");
    masks = data.resolve("masks");
  }

  @Test
  @Order(1)
  void identicalCopyGivesTheSameTrainingAndNoDrop() throws Exception {
    EvaluationResult r = evaluate("identical", (img, mask, rnd) -> { });
    clean = r.clean();
    System.out.println("identical: " + summary(r));
    assertTrue(r.objectIouClean() > 0.15, "the probe must learn the objects from clean data: " + summary(r));
    // Same seed, same data order, same pixels: the trainings are the same, to the bit.
    assertEquals(r.clean().loss(), r.protectedCurve().loss());
    assertEquals(0.0, r.objectDrop(), 1e-12);
    assertEquals(0.0, r.noiseInside(), 0.0);
    Path report = ReportWriter.write(r);
    JsonNode json = new ObjectMapper().readTree(report.resolve("report.json").toFile());
    assertEquals(r.objectIouClean(), json.at("/result/object_iou_clean").asDouble(), 1e-12);
    assertEquals(PROBE.epochs(), json.at("/protected_training/loss").size());
    assertTrue(Files.size(report.resolve("curves.png")) > 1000);
    assertTrue(Files.readString(report.resolve("report.html")).contains("triples/0-noise.png"));
  }

  @Test
  @Order(2)
  @org.junit.jupiter.api.condition.EnabledIfSystemProperty(named = "unseg.trust", matches = "true",
      disabledReason = "slow on a shared 2-core machine; run with -Dunseg.trust=true (not yet seen passing)")
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
    assertTrue(Math.abs(r.objectDrop()) < 0.3, "noise without mask information must not look protective: " + summary(r));
  }

  @Test
  @Order(3)
  @org.junit.jupiter.api.condition.EnabledIfSystemProperty(named = "unseg.trust", matches = "true",
      disabledReason = "slow on a shared 2-core machine; run with -Dunseg.trust=true (not yet seen passing)")
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
    assertTrue(r.objectDrop() > 0.6, "a label-keyed shortcut must show a large drop: " + summary(r));
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
    EvaluateSettings s = new EvaluateSettings(images, masks, root, 150, 50, SIZE, Defense.parse("none"), PROBE, "trust");
    return new Evaluation(s).run(clean);
  }

  private static int shift(int rgb, int dr, int dg, int db) {
    return clamp((rgb >> 16 & 255) + dr) << 16 | clamp((rgb >> 8 & 255) + dg) << 8 | clamp((rgb & 255) + db);
  }

  private static int clamp(int v) {
    return Math.max(0, Math.min(255, v));
  }

  private static String summary(EvaluationResult r) {
    return String.format(java.util.Locale.ROOT, "object IoU %.3f -> %.3f (drop %.2f), mIoU %.3f -> %.3f (drop %.2f), noise %.1f/%.1f",
        r.objectIouClean(), r.objectIouProtected(), r.objectDrop(), r.miouClean(), r.miouProtected(), r.miouDrop(),
        r.noiseInside(), r.noiseOutside());
  }
}
