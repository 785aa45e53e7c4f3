package dev.unseg.jobs.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Can the probe be trusted? The three controls of {@code evaluate --controls}, with the training
 * recipe, at CI size (generated mask pairs of 64 px, binary labels, the U-Net, three seeds a side so
 * that the margins are measured, not assumed): an identical copy reproduces the clean trainings to the bit; +-8 random noise
 * everywhere (no label information) moves the peak object mIoU by no more than the run-to-run noise;
 * a colour shift of 8 on the object pixels (the label written into the image) takes more
 * than half of it. Replaces ProbeTrustTest (binary, 18 minutes of CI).
 */
class ControlsTest {
  @TempDir static Path tmp;

  @Test
  @Disabled("the NaN's cause is found (12 base channels; see Recipe), but the controls' margins and this test's CI time "
      + "are not measured yet with 16")
  void controlsBehaveAsTheyMust() throws Exception {
    // Mask pairs at 64 px, binary: the multi-class scenes need more training than CI affords (README).
    Path data = tmp.resolve("data");
    new SyntheticDataset(SyntheticDataset.readPhotos(List.of(Path.of("../samples"))), 64, 3).write(data, 150);
    Recipe recipe = new Recipe(64, 64, 0.75, 1.5, 8, 10, 2e-3f, 0.01f, 16, 1);
    EvaluateSettings s = new EvaluateSettings("mask-pairs", data.resolve("images"), data.resolve("masks"), null,
        LabelMode.parse("binary"), 120, 30, recipe, List.of("unet"), List.of(), 0, true, 8, 3, "controls");
    EvaluationResult r = new Evaluation(s, System.out).run();
    System.out.println(ReportWriter.table(r));
    Side clean = r.clean("unet");
    Side identical = r.side("unet", "control:identical");
    Side random = r.side("unet", "control:random");
    Side shortcut = r.side("unet", "control:shortcut");
    double band = Math.max(clean.peakSpread(), random.peakSpread());
    System.out.printf(Locale.ROOT, "margins: clean peak %.3f (runs %s); random %+.3f against band %.3f; shortcut drop %.2f (needs > 0.5), "
        + "gap %.3f against 3 x spread %.3f%n", clean.peak(), peaks(clean), random.peak() - clean.peak(), 1.5 * band,
        r.peakDrop(shortcut), clean.peak() - shortcut.peak(), 3 * r.peakSpread(shortcut));
    assertTrue(clean.peak() > 0.25, "the probe must learn the objects from clean data: " + peaks(clean));
    // Same seed, order, crops and pixels: the same training, to the bit.
    assertEquals(clean.runs().get(0).loss(), identical.runs().get(0).loss());
    assertEquals(0.0, identical.noiseInside(), 0.0);
    assertTrue(clean.peakSpread() > 0, "different seeds differ: the spread is measured");
    // Within the run-to-run noise (1.5 x the larger spread of either side: the error of a mean of three).
    assertTrue(random.noiseInside() > 6 && random.noiseOutside() > 6);
    assertTrue(Math.abs(random.peak() - clean.peak()) <= 1.5 * band, "noise without label information must not look protective");
    assertTrue(r.peakDrop(shortcut) > 0.5, "a label-keyed shortcut must take more than half: " + peaks(shortcut));
    assertTrue(clean.peak() - shortcut.peak() > 3 * r.peakSpread(shortcut), "far outside the noise");
    Path report = ReportWriter.write(r);
    JsonNode json = new ObjectMapper().readTree(report.resolve("report.json").toFile());
    assertEquals(clean.peak(), json.at("/sides/0/peak_object_miou").asDouble(), 1e-12);
    assertEquals(recipe.epochs(), json.at("/sides/0/runs/2/object_miou").size());
    assertTrue(Files.readString(report.resolve("report.html")).contains("curves-unet-control_shortcut.png"));
  }

  private static List<String> peaks(Side s) {
    return s.runs().stream().map(c -> String.format(Locale.ROOT, "%.3f@%d", c.best().objectMiou(), c.bestEpoch() + 1)).toList();
  }
}
