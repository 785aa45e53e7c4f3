package dev.unseg.pipeline.generator.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unseg.pipeline.generator.GeneratorImage;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A file written by {@code tools/export_unseg.py --selftest --batch-size 2 --out
 * exported_standin_b2.pt}: the tool's contract wrapper around a stand-in network with the SAM-style
 * list-of-dicts call, traced by torch 1.13. Proves that what the export path produces loads and runs
 * in DJL's libtorch 2.5.1, and that its fixed traced batch size is enforced with a clear message.
 */
class ExportToolOutputTest {
  private static final Path MODEL = FixtureInputs.resource("exported_standin_b2.pt");

  @Test
  void tracedExportRunsWithItsBatchSizeIncludingPadding() throws Exception {
    try (TorchScriptGenerator g = TorchScriptGenerator.load(TorchScriptSettings.cpu(MODEL).withBatchSize(2))) {
      List<GeneratorImage> x = List.of(FixtureInputs.input(11), FixtureInputs.input(22), FixtureInputs.input(33));
      List<float[]> p = List.of(FixtureInputs.prompt(11), FixtureInputs.prompt(22), FixtureInputs.prompt(33));
      List<float[]> all = g.generate(x, p); // 2 + 1 padded
      List<float[]> last = g.generate(x.subList(2, 3), p.subList(2, 3));
      assertEquals(3, all.size());
      float worst = 0;
      for (int k = 0; k < last.get(0).length; k++) {
        worst = Math.max(worst, Math.abs(all.get(2)[k] - last.get(0)[k]));
      }
      assertTrue(worst < 1e-6, "same item, other batch position: " + worst);
    }
  }

  @Test
  void tracedBatchSizeMismatchIsExplained() {
    GeneratorException e = assertThrows(GeneratorException.class,
        () -> TorchScriptGenerator.load(TorchScriptSettings.cpu(MODEL).withBatchSize(1)));
    assertTrue(e.getMessage().contains("exported_standin_b2.pt"), e.getMessage());
    assertTrue(e.getMessage().contains("unseg.generator.batch-size"), e.getMessage());
  }
}
