package dev.unseg.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unseg.jobs.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --image-list} (VOC's ImageSets/Segmentation/*.txt) on the real ADE20K samples: only the listed images
 * are protected, each listed entry gets its row (a missing one image_missing, a foreign one image_unsupported),
 * the list travels with the release, and verify and evaluate read the same images from the run's settings.
 */
class ImageListTest {
  @TempDir Path tmp;

  @Test
  void onlyTheListedImagesAreProtectedAndEveryEntryHasItsRow() throws Exception {
    Path ade = tmp.resolve("ade");
    copyTree(Cli.SAMPLES.resolve("ade20k"), ade);
    // A fourth image (a copy of the first), so that evaluate has three listed images to train two and test one.
    Files.copy(ade.resolve("images/validation/ADE_val_00000001.jpg"), ade.resolve("images/validation/ADE_val_00000004.jpg"));
    Files.copy(ade.resolve("annotations/validation/ADE_val_00000001.png"), ade.resolve("annotations/validation/ADE_val_00000004.png"));
    Path list = Files.writeString(Files.createDirectories(ade.resolve("sets")).resolve("val.txt"), String.join("\n",
        "\uFEFF# three of the four: names without extension, and a path with one",
        "validation/ADE_val_00000001",
        "",
        "  validation/ADE_val_00000003.jpg  ",
        "validation/ADE_val_00000004", ""));
    Path out = tmp.resolve("out");
    assertEquals(Map.of("validation/ADE_val_00000001.jpg", "protected", "validation/ADE_val_00000003.jpg", "protected",
        "validation/ADE_val_00000004.jpg", "protected"), protect(ade, list, out));
    assertFalse(Files.exists(out.resolve("images/validation/ADE_val_00000002.jpg")), "an unlisted image is not released");
    assertTrue(Files.exists(out.resolve("images/validation/ADE_val_00000003.jpg")));
    assertEquals(Files.readString(list), Files.readString(out.resolve("sets/val.txt")), "the list travels with the release");

    Cli.Run verify = Cli.runCli(new String[] {"verify", "--output", out.toString(), "--originals", ade.resolve("images").toString()});
    assertEquals(0, verify.code(), verify.out() + verify.err());

    Cli.Run eval = Cli.runCli(new String[] {"evaluate", "--protected", out.toString(), "--sample", "2", "--test", "1",
        "--labels", "top:2", "--base-size", "32", "--crop", "32", "--epochs", "1", "--model", "deeplab", "--run-id", "listed"});
    assertEquals(0, eval.code(), eval.err());
    assertTrue(eval.out().contains("trained on 2 ade20k images"), eval.out());
    JsonNode report = Cli.JSON.readTree(out.resolve("_unseg/evaluation/listed/report.json").toFile());
    String tested = report.get("test_images").get(0).asText();
    assertTrue(Set.of("validation/ADE_val_00000001.jpg", "validation/ADE_val_00000003.jpg", "validation/ADE_val_00000004.jpg")
        .contains(tested), tested);

    // Entries that name no image of the format still get their rows.
    Path bad = Files.writeString(ade.resolve("sets/bad.txt"), "validation/ADE_val_00000001\nvalidation/ADE_val_00000099\nvalidation/readme.txt\n");
    assertEquals(Map.of("validation/ADE_val_00000001.jpg", "protected", "validation/ADE_val_00000099.jpg", "failed:image_missing",
        "validation/readme.txt", "failed:image_unsupported"), protect(ade, bad, tmp.resolve("out-bad")));
  }

  /** Each manifest row's status (and error code) by input path. */
  private static Map<String, String> protect(Path ade, Path list, Path out) throws Exception {
    Cli.Run run = Cli.protect("--format", "ade20k", "--images", ade.resolve("images").toString(), "--annotations",
        ade.resolve("annotations").toString(), "--image-list", list.toString(), "--output", out.toString());
    assertEquals(0, run.code(), run.err());
    Map<String, String> status = new HashMap<>();
    for (JsonNode row : Cli.inspectRows(out)) {
      String code = row.path("error_code").asText("");
      status.put(row.get("input_path").asText(), row.get("status").asText() + (code.isEmpty() || code.equals("null") ? "" : ":" + code));
    }
    return status;
  }

  private static void copyTree(Path from, Path to) throws Exception {
    try (var files = Files.walk(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
