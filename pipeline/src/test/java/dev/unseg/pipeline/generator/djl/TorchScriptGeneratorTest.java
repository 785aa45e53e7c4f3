package dev.unseg.pipeline.generator.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unseg.pipeline.composite.Composite;
import dev.unseg.pipeline.composite.Fixtures;
import dev.unseg.pipeline.generator.GeneratorImage;
import dev.unseg.pipeline.generator.GeneratorInfo;
import dev.unseg.pipeline.generator.GeneratorInfo.ImageInput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The committed TorchScript fixture through DJL's real PyTorch engine on the CPU. */
class TorchScriptGeneratorTest {
  private static final Path MODEL = FixtureInputs.resource("fixture_generator.pt");
  private static JsonNode meta;
  private static List<GeneratorImage> images;
  private static List<float[]> prompts;
  private static float[][] reference;
  private static int stride;

  @BeforeAll
  static void inputs() throws Exception {
    meta = FixtureInputs.referenceMeta();
    stride = meta.get("stride").asInt();
    images = new ArrayList<>();
    prompts = new ArrayList<>();
    for (JsonNode seed : meta.get("seeds")) {
      images.add(FixtureInputs.input(seed.asLong()));
      prompts.add(FixtureInputs.prompt(seed.asLong()));
    }
    reference = FixtureInputs.referenceSamples(images.size());
  }

  @AfterAll
  static void clear() {
    images = null;
    prompts = null;
  }

  @Test
  void javaInputsAreThePythonInputs() {
    for (int i = 0; i < images.size(); i++) {
      double sum = 0;
      for (float v : images.get(i).x()) {
        sum += v;
      }
      int fg = 0;
      for (float v : prompts.get(i)) {
        fg += v == 255f ? 1 : 0;
      }
      assertEquals(meta.get("imageSum").get(i).asDouble(), sum, 1e-3, "image sum of item " + i);
      assertEquals(meta.get("promptForeground").get(i).asInt(), fg, "prompt foreground of item " + i);
    }
  }

  @Test
  void matchesPyTorchReferenceAndRecordsDigest() throws Exception {
    try (TorchScriptGenerator g = TorchScriptGenerator.load(TorchScriptSettings.cpu(MODEL).withBatchSize(3))) {
      List<float[]> noise = g.generate(images, prompts);
      assertEquals(3, noise.size());
      double worst = 0;
      for (int i = 0; i < noise.size(); i++) {
        float[] n = noise.get(i);
        assertEquals(3 * 256 * 256, n.length);
        for (int k = 0; k * stride < n.length; k++) {
          worst = Math.max(worst, Math.abs(n[k * stride] - reference[i][k]));
        }
        double sum = 0;
        double sumAbs = 0;
        for (float v : n) {
          sum += v;
          sumAbs += Math.abs(v);
        }
        assertEquals(meta.get("sum").get(i).asDouble(), sum, 0.05, "sum of all noise values, item " + i);
        assertEquals(meta.get("sumAbs").get(i).asDouble(), sumAbs, 0.05, "sum of |noise|, item " + i);
      }
      System.out.printf("DJL (libtorch 2.5.1) vs PyTorch 1.13 reference: largest difference %.3g%n", worst);
      assertTrue(worst < 1e-5, "largest difference to PyTorch 1.13's output: " + worst);

      GeneratorInfo info = g.info();
      String fileSha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(MODEL)));
      assertEquals("unseg-torchscript", info.id());
      assertEquals(fileSha, info.modelDigest());
      assertEquals(meta.get("modelSha256").asText(), info.modelDigest());
      assertEquals(ImageInput.CPU_X, info.imageInput());
      assertTrue(info.version().contains("libtorch 2.5.1"), info.version());
    }
  }

  /**
   * The GPU path (X built by libtorch from the 8-bit image, padding rows made there) run on the CPU gives
   * the CPU path's noise, to the bit, for real images of three sizes in a padded batch.
   */
  @Test
  void xBuiltOnTheDeviceGivesTheCpuPathsNoise() throws Exception {
    List<GeneratorImage> cpu = new ArrayList<>();
    List<GeneratorImage> device = new ArrayList<>();
    for (JsonNode c : Fixtures.cases().subList(0, 3)) {
      int w = c.get("width").asInt();
      int h = c.get("height").asInt();
      byte[] rgb = Fixtures.image(c);
      cpu.add(Composite.generatorInput(ImageInput.CPU_X, rgb, w, h));
      device.add(Composite.generatorInput(ImageInput.PIXELS, rgb, w, h));
    }
    List<float[]> p = prompts.subList(0, 3);
    TorchScriptSettings s = TorchScriptSettings.cpu(MODEL).withBatchSize(2);
    try (TorchScriptGenerator a = TorchScriptGenerator.load(s, ImageInput.CPU_X);
        TorchScriptGenerator b = TorchScriptGenerator.load(s, ImageInput.PIXELS)) {
      assertEquals(ImageInput.PIXELS, b.info().imageInput());
      List<float[]> expected = a.generate(cpu, p);
      List<float[]> got = b.generate(device, p);
      for (int i = 0; i < 3; i++) {
        assertArrayEquals(expected.get(i), got.get(i), "item " + i);
      }
      assertTrue(maxDiff(expected.get(0), expected.get(1)) > 1e-3, "the items' noise differs");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> b.generate(List.of(new GeneratorImage(4, 4, new byte[5], null)), p.subList(0, 1)));
      assertTrue(e.getMessage().contains("4x4"), e.getMessage());
    }
  }

  @Test
  void batchOfOneFullAndPaddedGiveTheSamePerItemNoise() throws Exception {
    List<float[]> single = new ArrayList<>();
    try (TorchScriptGenerator one = TorchScriptGenerator.load(TorchScriptSettings.cpu(MODEL))) {
      for (int i = 0; i < 3; i++) {
        single.add(one.generate(images.subList(i, i + 1), prompts.subList(i, i + 1)).get(0));
      }
    }
    try (TorchScriptGenerator two = TorchScriptGenerator.load(TorchScriptSettings.cpu(MODEL).withBatchSize(2))) {
      List<float[]> padded1 = two.generate(images.subList(0, 1), prompts.subList(0, 1)); // 1 real + 1 zero row
      List<float[]> full = two.generate(images.subList(0, 2), prompts.subList(0, 2)); // exactly batchSize
      List<float[]> padded3 = two.generate(images, prompts); // batchSize + 1: second batch padded
      assertEquals(1, padded1.size());
      assertEquals(2, full.size());
      assertEquals(3, padded3.size());
      assertArrayEquals(single.get(0), padded1.get(0), 1e-6f);
      for (int i = 0; i < 2; i++) {
        assertArrayEquals(single.get(i), full.get(i), 1e-6f, "item " + i + " of a full batch");
      }
      for (int i = 0; i < 3; i++) {
        assertArrayEquals(single.get(i), padded3.get(i), 1e-6f, "item " + i + " of batchSize+1 items");
      }
      // The items differ, so equal outputs above are not a constant model's.
      assertTrue(maxDiff(single.get(0), single.get(2)) > 1e-3);
    }
  }

  @Test
  void concurrentCallersGetCorrectNoiseAndOwnPredictors() throws Exception {
    try (TorchScriptGenerator g = TorchScriptGenerator.load(TorchScriptSettings.cpu(MODEL))) {
      ExecutorService pool = Executors.newFixedThreadPool(3);
      try {
        List<Future<float[]>> futures = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
          for (int i = 0; i < 3; i++) {
            int item = i;
            futures.add(pool.submit(() -> g.generate(images.subList(item, item + 1), prompts.subList(item, item + 1)).get(0)));
          }
        }
        for (int f = 0; f < futures.size(); f++) {
          float[] n = futures.get(f).get();
          int item = f % 3;
          for (int k = 0; k * stride < n.length; k++) {
            assertEquals(reference[item][k], n[k * stride], 1e-5f, "item " + item + " sample " + k);
          }
        }
      } finally {
        pool.shutdownNow();
      }
      assertTrue(g.predictorCount() >= 1 && g.predictorCount() <= 3, "predictors: " + g.predictorCount());
    }
  }

  @Test
  void wrongDigestIsRefusedWithBothDigestsAndTheKey() throws Exception {
    String wrong = "0".repeat(64);
    GeneratorException e = assertThrows(GeneratorException.class,
        () -> TorchScriptGenerator.load(TorchScriptSettings.cpu(MODEL).withExpectedSha256(wrong)));
    String actual = meta.get("modelSha256").asText();
    assertTrue(e.getMessage().contains(MODEL.getFileName().toString()), e.getMessage());
    assertTrue(e.getMessage().contains(wrong), e.getMessage());
    assertTrue(e.getMessage().contains(actual), e.getMessage());
    assertTrue(e.getMessage().contains("unseg.generator.model-sha256"), e.getMessage());
    // The right digest, in upper case as some tools print it, loads.
    try (TorchScriptGenerator g = TorchScriptGenerator.load(TorchScriptSettings.cpu(MODEL).withExpectedSha256(actual.toUpperCase()))) {
      assertEquals(actual, g.info().modelDigest());
    }
  }

  @Test
  void wrongOutputShapeFailsAtLoadWithClearMessage() {
    GeneratorException e = assertThrows(GeneratorException.class,
        () -> TorchScriptGenerator.load(TorchScriptSettings.cpu(FixtureInputs.resource("wrong_shape.pt"))));
    assertTrue(e.getMessage().contains("wrong_shape.pt"), e.getMessage());
    assertTrue(e.getMessage().contains("(1, 3, 128, 128)"), e.getMessage());
    assertTrue(e.getMessage().contains("(1, 3, 256, 256)"), e.getMessage());
    assertTrue(e.getMessage().contains("exported wrongly"), e.getMessage());
  }

  @Test
  void outputOutsideMinusOneOneIsRejected() {
    GeneratorException e = assertThrows(GeneratorException.class, () -> {
      try (TorchScriptGenerator g = TorchScriptGenerator.load(TorchScriptSettings.cpu(FixtureInputs.resource("out_of_range.pt")))) {
        g.generate(images.subList(0, 1), prompts.subList(0, 1));
      }
    });
    assertTrue(e.getMessage().contains("out_of_range.pt"), e.getMessage());
    assertTrue(e.getMessage().contains("within [-1, 1]"), e.getMessage());
  }

  @Test
  void aSaturatedTanhIsLegalOutput() throws Exception {
    try (TorchScriptGenerator g = TorchScriptGenerator.load(TorchScriptSettings.cpu(FixtureInputs.resource("saturating_generator.pt")))) {
      List<float[]> noise = g.generate(images, prompts);
      long saturated = 0;
      for (float[] n : noise) {
        for (float v : n) {
          assertTrue(v >= -1f && v <= 1f, "value " + v);
          saturated += Math.abs(v) == 1f ? 1 : 0;
        }
      }
      // A float32 tanh returns exactly +-1.0 beyond about +-9: most of this fixture's values.
      assertTrue(saturated > noise.size() * 3 * 256 * 256 / 2, saturated + " values at exactly +-1.0");
    }
  }

  @Test
  void theContractIsFiniteValuesWithinTheClosedInterval() throws Exception {
    Path model = Path.of("m.pt");
    OutputCheck.check(new float[] {-1f, 1f, 0f, Math.nextDown(1f), -0f}, 0, model);
    for (float bad : new float[] {Math.nextUp(1f), Math.nextDown(-1f), Float.NaN, Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY, 2f}) {
      GeneratorException e = assertThrows(GeneratorException.class, () -> OutputCheck.check(new float[] {0f, bad}, 3, model));
      assertTrue(e.getMessage().contains("noise value " + bad + " for item 3 at index 1"), e.getMessage());
    }
  }

  @Test
  void gpuOnACpuOnlyEngineFailsInsteadOfFallingBack() {
    GeneratorException e = assertThrows(GeneratorException.class,
        () -> TorchScriptGenerator.load(new TorchScriptSettings(MODEL, "", "gpu", 1, 0, 0)));
    assertTrue(e.getMessage().contains("unseg.generator.device=gpu"), e.getMessage());
    assertTrue(e.getMessage().contains("pytorch-native-cu124"), e.getMessage());
  }

  @Test
  void missingFileAndBadInputsAreNamed() throws Exception {
    GeneratorException missing = assertThrows(GeneratorException.class,
        () -> TorchScriptGenerator.load(TorchScriptSettings.cpu(Path.of("no/such/unseg.pt"))));
    assertTrue(missing.getMessage().contains("unseg.generator.model"), missing.getMessage());
    try (TorchScriptGenerator g = TorchScriptGenerator.load(TorchScriptSettings.cpu(MODEL))) {
      float[] zeroOne = new float[256 * 256];
      zeroOne[5] = 1f;
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> g.generate(images.subList(0, 1), List.of(zeroOne)));
      assertTrue(e.getMessage().contains("must be 0 or 255"), e.getMessage());
      assertTrue(g.generate(List.of(), List.of()).isEmpty());
    }
  }

  @Test
  void timing() throws Exception {
    int batch = 4;
    List<GeneratorImage> x = new ArrayList<>();
    List<float[]> p = new ArrayList<>();
    for (int i = 0; i < batch; i++) {
      x.add(images.get(i % 3));
      p.add(prompts.get(i % 3));
    }
    try (TorchScriptGenerator g = TorchScriptGenerator.load(TorchScriptSettings.cpu(MODEL).withBatchSize(batch))) {
      g.generate(x, p);
      int reps = 5;
      long t0 = System.nanoTime();
      for (int r = 0; r < reps; r++) {
        g.generate(x, p);
      }
      double ms = (System.nanoTime() - t0) / 1e6 / reps;
      System.out.printf("fixture generator, CPU, batch %d: %.1f ms per batch (%.1f ms per image)%n", batch, ms, ms / batch);
    }
  }

  private static double maxDiff(float[] a, float[] b) {
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }
}
