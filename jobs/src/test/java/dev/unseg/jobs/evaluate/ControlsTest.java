package dev.unseg.jobs.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unseg.jobs.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Can the probe be trusted? {@code unseg evaluate --controls} as a user runs it, at CI size, on a
 * generated dataset, with the training recipe and several seeds a side, so that the margins are
 * measured, not assumed: an identical copy reproduces the clean training to the bit; +-8 random noise
 * everywhere (no label information) moves the peak object mIoU by no more than the run-to-run noise;
 * a colour shift of 8 keyed by the label, one colour per class and one for the background (the label
 * written into the image), takes more than half of it, far outside the noise (measured 61%,
 * docs/evaluate.md). The full-size measurement is tools/measure_protection.sh.
 */
class ControlsTest {
  /**
   * The recipe at CI size: 50 epochs of 15 batches of 32-px crops from 48-px images rescaled 0.75-1.5
   * (at 0.5 a 48-px image is smaller than the crop), two seeds a side, about 5 minutes on 2 cores.
   * Fewer steps leave the clean probe too weak and too seed-dependent for any control to mean something
   * (10 epochs of 64-px crops: peaks 0.15-0.29); docs/evaluate.md.
   */
  static final String[] RECIPE = {"--labels", "binary", "--model", "unet", "--sample", "120", "--test", "30",
      "--base-size", "48", "--crop", "32", "--epochs", "50", "--repeats", "2", "--conf", "unseg.evaluate.rescale-min=0.75",
      "--conf", "unseg.evaluate.rescale-max=1.5", "--conf", "unseg.evaluate.learning-rate=0.002"};

  @TempDir Path tmp;

  @Test
  void controlsBehaveAsTheyMust() throws Exception {
    Path data = tmp.resolve("data");
    Cli.Run made = Cli.runCli(new String[] {"make-dataset", "--kind", "mask-pairs", "--photos", Cli.SAMPLES.toString(),
        "--output", data.toString(), "--count", "150", "--size", "64", "--seed", "3"});
    assertEquals(0, made.code(), made.err());
    List<String> args = new ArrayList<>(List.of("evaluate", "--controls", "--format", "mask-pairs", "--images",
        data.resolve("images").toString(), "--annotations", data.resolve("masks").toString(), "--report",
        tmp.resolve("report").toString()));
    args.addAll(List.of(RECIPE));
    Cli.Run run = Cli.runCli(args.toArray(String[]::new));
    assertEquals(0, run.code(), run.err());
    System.out.println(run.out());
    JsonNode r = Cli.JSON.readTree(tmp.resolve("report/report.json").toFile());
    JsonNode clean = side(r, "clean");
    JsonNode identical = side(r, "control:identical");
    JsonNode random = side(r, "control:random");
    JsonNode shortcut = side(r, "control:shortcut");
    double cleanPeak = clean.get("peak_object_miou").asDouble();
    double band = Math.max(clean.get("peak_spread").asDouble(), random.get("peak_spread").asDouble());
    System.out.printf(Locale.ROOT, "margins: clean peak %.3f (runs %s); random %+.3f against 1.5 x band %.3f;"
        + " shortcut drop %.2f (needs > 0.5), gap %.3f against 3 x spread %.3f%n", cleanPeak, peaks(clean),
        random.get("peak_object_miou").asDouble() - cleanPeak, 1.5 * band, shortcut.get("peak_drop").asDouble(),
        cleanPeak - shortcut.get("peak_object_miou").asDouble(), 3 * shortcut.get("spread_against_clean").asDouble());
    assertTrue(cleanPeak > 0.3, "the probe must learn the objects from clean data: " + peaks(clean));
    // Same seed, order, crops and pixels: the same training, to the bit.
    assertEquals(clean.at("/runs/0/loss"), identical.at("/runs/0/loss"));
    assertEquals(0.0, identical.get("noise_mean_abs_inside").asDouble(), 0.0);
    assertEquals(0.0, identical.get("peak_drop").asDouble(), 0.0, "compared with the clean run of its own seed");
    assertTrue(clean.get("peak_spread").asDouble() > 0, "different seeds differ: the spread is measured");
    // Within the run-to-run noise: 1.5 x the larger spread of the two sides' peaks.
    assertTrue(random.get("noise_mean_abs_inside").asDouble() > 6 && random.get("noise_mean_abs_outside").asDouble() > 6);
    assertTrue(Math.abs(random.get("peak_object_miou").asDouble() - cleanPeak) <= 1.5 * band,
        "noise without label information must not look protective: " + peaks(random));
    assertTrue(shortcut.get("peak_drop").asDouble() > 0.5, "a label-keyed shortcut must take more than half: " + peaks(shortcut));
    assertTrue(cleanPeak - shortcut.get("peak_object_miou").asDouble() > 3 * shortcut.get("spread_against_clean").asDouble(),
        "far outside the noise");
    assertTrue(Files.readString(tmp.resolve("report/report.html")).contains("curves-unet-control_shortcut.png"));
  }

  private static JsonNode side(JsonNode report, String name) {
    for (JsonNode s : report.get("sides")) {
      if (s.get("name").asText().equals(name)) {
        return s;
      }
    }
    throw new AssertionError("no side " + name);
  }

  private static List<String> peaks(JsonNode side) {
    List<String> out = new ArrayList<>();
    for (JsonNode run : side.get("runs")) {
      int best = run.get("best_epoch").asInt();
      out.add(String.format(Locale.ROOT, "%.3f@%d", run.get("object_miou").get(best - 1).asDouble(), best));
    }
    return out;
  }
}
