package dev.unseg.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.unseg.jobs.testing.Cli;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code unseg make-dataset} (multi-class COCO scenes) then {@code unseg protect --format coco} on
 * it, then {@code unseg evaluate} on the protected copy: the chain tools/measure_protection.sh runs,
 * at a size CI affords.
 */
class GeneratedDatasetProtectTest {
  @TempDir Path tmp;

  @Test
  void makeDatasetProtectAndEvaluate() throws Exception {
    Path data = tmp.resolve("data");
    Cli.Run made = Cli.runCli(new String[] {"make-dataset", "--photos", Cli.SAMPLES.toString(),
        "--output", data.toString(), "--count", "12", "--size", "96", "--seed", "2"});
    assertEquals(0, made.code(), made.err());
    Path out = tmp.resolve("protected");
    Cli.Run run = Cli.protect("--format", "coco", "--images", data.resolve("images").toString(),
        "--annotations", data.resolve("annotations.json").toString(), "--output", out.toString(), "--write-masks");
    assertEquals(0, run.code(), run.err());
    List<JsonNode> rows = Cli.inspectRows(out);
    assertEquals(12, rows.size());
    for (JsonNode row : rows) {
      assertEquals("protected", row.get("status").asText(), row.toString());
      assertTrue(row.get("mask_pixels").asLong() > 0, row.toString());
    }
    // PNG in, PNG out: the noise is within eps 8 on the annotated pixels and 2 elsewhere.
    ProtectJobTest.checkBounds(data.resolve("images"), out.resolve("images"), out.resolve("_unseg/masks"), rows, 8, 2);
    // An image broken since the run is left out of the evaluation with its reason; the rest still train.
    Files.write(data.resolve("images/00003.png"), new byte[] {1, 2, 3});
    // The clean dataset comes from the run's own settings.
    Cli.Run eval = Cli.runCli(new String[] {"evaluate", "--protected", out.toString(), "--sample", "8",
        "--test", "4", "--base-size", "32", "--crop", "32", "--epochs", "1", "--model", "both", "--defense", "none,iss:10",
        "--clean-fraction", "0.25", "--run-id", "chain"});
    assertEquals(0, eval.code(), eval.err());
    assertTrue(eval.out().contains("deeplab  protected+iss:10"), eval.out());
    assertTrue(eval.out().contains("left out 1 image(s) of the sample"), eval.out());
    JsonNode report = Cli.JSON.readTree(out.resolve("_unseg/evaluation/chain/report.json").toFile());
    assertTrue(report.at("/skipped_images/00003.png").asText().contains("00003.png"), report.get("skipped_images").toString());
    assertEquals(11, report.get("train_images").size() + report.get("test_images").size());

    // A run that has not finished: a missing copy's reason says to finish it first.
    Files.delete(out.resolve("_SUCCESS"));
    Files.delete(out.resolve("images/00005.png"));
    Cli.Run unfinished = Cli.runCli(new String[] {"evaluate", "--protected", out.toString(), "--sample", "8",
        "--test", "4", "--base-size", "32", "--crop", "32", "--epochs", "1", "--model", "unet", "--run-id", "unfinished"});
    assertEquals(0, unfinished.code(), unfinished.err());
    assertTrue(Cli.JSON.readTree(out.resolve("_unseg/evaluation/unfinished/report.json").toFile()).at("/skipped_images/00005.png")
        .asText().contains("has not finished (no _SUCCESS): finish it with the same protect command and --resume"),
        unfinished.out());

    // A recipe the networks cannot take names its setting.
    Cli.Run badCrop = Cli.runCli(new String[] {"evaluate", "--protected", out.toString(), "--crop", "100"});
    assertEquals(2, badCrop.code(), badCrop.err());
    assertTrue(badCrop.err().contains("unseg.evaluate.crop = '100' is not valid: it accepts a multiple of 8, at least 16 (flag --crop)"),
        badCrop.err());
  }
}
