package dev.unseg.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
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
    ProtectJobTest.Run made = ProtectJobTest.runCli(new String[] {"make-dataset", "--photos", ProtectJobTest.SAMPLES.toString(),
        "--output", data.toString(), "--count", "12", "--size", "96", "--seed", "2"});
    assertEquals(0, made.code(), made.err());
    Path out = tmp.resolve("protected");
    ProtectJobTest.Run run = ProtectJobTest.protect("--format", "coco", "--images", data.resolve("images").toString(),
        "--annotations", data.resolve("annotations.json").toString(), "--output", out.toString(), "--write-masks");
    assertEquals(0, run.code(), run.err());
    List<JsonNode> rows = run.inspectRows(out);
    assertEquals(12, rows.size());
    for (JsonNode row : rows) {
      assertEquals("protected", row.get("status").asText(), row.toString());
      assertTrue(row.get("mask_pixels").asLong() > 0, row.toString());
    }
    // PNG in, PNG out: the noise is within eps 8 on the annotated pixels and 2 elsewhere.
    ProtectJobTest.checkBounds(data.resolve("images"), out.resolve("images"), out.resolve("_unseg/masks"), rows, 8, 2);
    ProtectJobTest.Run eval = ProtectJobTest.runCli(new String[] {"evaluate", "--clean", data.resolve("images").toString(),
        "--annotations", data.resolve("annotations.json").toString(), "--protected", out.toString(), "--sample", "8",
        "--test", "4", "--base-size", "32", "--crop", "32", "--epochs", "1", "--model", "both", "--defense", "none,iss:10",
        "--clean-fraction", "0.25", "--run-id", "chain"});
    assertEquals(0, eval.code(), eval.err());
    assertTrue(eval.out().contains("deeplab  protected+iss:10"), eval.out());
    assertTrue(Files.exists(out.resolve("_unseg/evaluation/chain/report.json")));
  }
}
