package dev.unseg.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unseg.jobs.testing.CityscapesLayout;
import dev.unseg.jobs.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * evaluate on a label-map format: protect the real ADE20K samples, then evaluate the run with the
 * dataset read from its settings and the classes from ADE20K's label values (top:K by training pixels).
 */
class EvaluateLabelMapsTest {
  @TempDir Path tmp;

  @Test
  void evaluatesAnAde20kRunWithItsOwnClasses() throws Exception {
    Path ade = Cli.SAMPLES.resolve("ade20k");
    Path out = protectAdeSamples();
    Cli.Run eval = evaluateOneEpoch(out, "ade");
    assertTrue(eval.out().contains("trained on 2 ade20k images (4 classes), tested on 1 clean images"), eval.out());
    // One epoch on two images learns next to nothing, and the console says what that means.
    assertTrue(eval.out().contains("warning: the deeplab probe learned little from the clean images"), eval.out());
    JsonNode report = Cli.JSON.readTree(out.resolve("_unseg/evaluation/ade/report.json").toFile());
    assertTrue(report.get("warnings").get(0).asText().startsWith("the deeplab probe learned little"), report.get("warnings").toString());
    assertTrue(Files.readString(out.resolve("_unseg/evaluation/ade/report.html")).contains("<p class=\"warn\">Warning: the deeplab probe"));
    JsonNode classes = report.get("classes");
    assertEquals(5, classes.size());
    assertEquals("background", classes.get(0).asText());
    // The four classes covering most training pixels are real ADE20K names, not label numbers.
    for (int c = 1; c < 5; c++) {
      assertTrue(classes.get(c).asText().matches("[a-z ]+"), classes.toString());
    }
    assertEquals("ade20k", report.at("/settings/format").asText());
    assertEquals(dev.unseg.jobs.io.Locations.qualify(ade.resolve("images").toString()).toString(),
        report.at("/settings/clean_images").asText(), "the run spec records its inputs as absolute URIs");
  }

  /**
   * A release moved after protect wrote it (downloaded from the bucket, renamed) is evaluated where it is
   * now: its settings still name the old output, and evaluate read the copies from there, so a moved
   * release lost every image, and a copied one was silently scored on the other folder's images.
   */
  @Test
  void evaluatesAReleaseWhereItIsNow() throws Exception {
    Path moved = Files.move(protectAdeSamples(), tmp.resolve("moved"));
    // Its 3 images at the default --test 60: the refusal says what to lower.
    Cli.Run tooFew = Cli.runCli(new String[] {"evaluate", "--protected", moved.toString()});
    assertEquals(2, tooFew.code(), tooFew.err());
    assertTrue(tooFew.err().contains("has 3 ade20k images; evaluate needs --test 60 and at least 2 to train on: lower"
        + " unseg.evaluate.test (--test), or evaluate a larger dataset"), tooFew.err());
    evaluateOneEpoch(moved, "moved");
    JsonNode report = Cli.JSON.readTree(moved.resolve("_unseg/evaluation/moved/report.json").toFile());
    assertEquals(0, report.get("skipped_images").size(), report.get("skipped_images").toString());
    assertTrue(report.at("/sides/1/noise_mean_abs_inside").asDouble() > 1, report.at("/sides/1").toString());
  }

  /**
   * The same --run-id again replaces the report: the folder then holds its pictures only (it kept the U-Net's
   * curves of the first run beside a DeepLab-only second), and a file the user put there stays.
   */
  @Test
  void aReportWrittenAgainKeepsNoPicturesOfTheOneBefore() throws Exception {
    Path out = protectAdeSamples();
    Path report = out.resolve("_unseg/evaluation/again");
    Cli.Run both = Cli.runCli(new String[] {"evaluate", "--protected", out.toString(), "--sample", "2", "--test", "1",
        "--labels", "top:4", "--base-size", "32", "--crop", "32", "--epochs", "1", "--model", "both", "--run-id", "again"});
    assertEquals(0, both.code(), both.err());
    assertTrue(Files.exists(report.resolve("curves-unet-protected.png")));
    Files.writeString(report.resolve("notes.txt"), "mine");
    evaluateOneEpoch(out, "again");
    assertTrue(Files.exists(report.resolve("curves-deeplab-protected.png")));
    assertFalse(Files.exists(report.resolve("curves-unet-protected.png")), "a picture of the run before");
    assertEquals("mine", Files.readString(report.resolve("notes.txt")));
  }

  /**
   * A run that protected some classes only (--select) is evaluated on those: the probe learns them, and the
   * classes the run left unprotected are background to it, as they were to protect's mask. Scored on every class,
   * the unprotected ones a model learns anyway would dilute the answer for the protected ones.
   */
  @Test
  void evaluatesTheClassesTheRunSelected() throws Exception {
    Path out = protectAdeSamples("--select", "classes:wall,person");
    Cli.Run eval = Cli.runCli(new String[] {"evaluate", "--protected", out.toString(), "--sample", "2", "--test", "1",
        "--labels", "classes", "--base-size", "32", "--crop", "32", "--epochs", "1", "--model", "deeplab", "--run-id", "some"});
    assertEquals(0, eval.code(), eval.err());
    JsonNode report = Cli.JSON.readTree(out.resolve("_unseg/evaluation/some/report.json").toFile());
    assertEquals(List.of("background", "wall", "person"), Cli.JSON.convertValue(report.get("classes"), List.class));
  }

  private Path protectAdeSamples(String... more) throws Exception {
    Path ade = Cli.SAMPLES.resolve("ade20k");
    Path out = tmp.resolve("out");
    List<String> args = new java.util.ArrayList<>(List.of("--format", "ade20k", "--images", ade.resolve("images").toString(),
        "--annotations", ade.resolve("annotations").toString(), "--output", out.toString()));
    args.addAll(List.of(more));
    Cli.Run run = Cli.protect(args.toArray(String[]::new));
    assertEquals(0, run.code(), run.err());
    return out;
  }

  /** The four classes covering most pixels, one epoch of DeepLab: enough to run every step, at test size. */
  private static Cli.Run evaluateOneEpoch(Path release, String runId) throws Exception {
    Cli.Run eval = Cli.runCli(new String[] {"evaluate", "--protected", release.toString(), "--sample", "2", "--test", "1",
        "--labels", "top:4", "--base-size", "32", "--crop", "32", "--epochs", "1", "--model", "deeplab", "--run-id", runId});
    assertEquals(0, eval.code(), eval.err());
    return eval;
  }

  /**
   * evaluate on a Cityscapes run whose test split is unlabelled, as Cityscapes' is: such an image can
   * neither train nor test, so it is left out with its reason and the next image of the seed's pick
   * stands in (the scores were NaN, or the run refused, when it fell into the pick).
   */
  @Test
  void anUnlabelledImageIsLeftOutAndAnotherStandsIn() throws Exception {
    Path root = tmp.resolve("cityscapes");
    String unlabelled = "test/berlin/berlin_000000_000019";
    CityscapesLayout.write(root, List.of("train/aachen/aachen_000000_000019", "train/aachen/aachen_000001_000019",
        "val/lindau/lindau_000000_000019", unlabelled));
    Path out = tmp.resolve("out");
    Cli.Run run = Cli.protect("--format", "cityscapes", "--images", root.resolve("leftImg8bit").toString(),
        "--annotations", root.resolve("gtFine").toString(), "--output", out.toString());
    assertEquals(0, run.code(), run.err());
    int leftOut = 0;
    for (String seed : List.of("1", "2", "3")) { // the unlabelled frame falls in the test window or the training one
      Cli.Run eval = Cli.runCli(new String[] {"evaluate", "--protected", out.toString(), "--sample", "2", "--test", "1",
          "--seed", seed, "--base-size", "32", "--crop", "32", "--epochs", "1", "--model", "deeplab", "--run-id", "cs" + seed});
      assertEquals(0, eval.code(), eval.err());
      JsonNode report = Cli.JSON.readTree(out.resolve("_unseg/evaluation/cs" + seed + "/report.json").toFile());
      JsonNode skipped = report.get("skipped_images");
      if (skipped.size() == 0) {
        continue; // the seed did not pick it among the three
      }
      assertTrue(eval.out().contains("trained on 2 cityscapes images (19 classes), tested on 1 clean images"), eval.out());
      assertEquals(1, skipped.size(), skipped.toString());
      assertTrue(skipped.get(unlabelled + "_leftImg8bit.png").asText().contains("unlabelled or ignored"), skipped.toString());
      assertTrue(Double.isFinite(report.at("/sides/0/peak_object_miou").asDouble(Double.NaN)), report.toString());
      leftOut++;
    }
    assertTrue(leftOut > 0, "no seed picked the unlabelled frame");
  }

  /**
   * evaluate on a COCO panoptic run: the real panopticapi sample (two photos, their panoptic PNGs and
   * segments_info) plus a third image, a copy of the first under another id, so that two train and
   * one tests; the classes are the index's categories, read from the run's own settings.
   */
  @Test
  void evaluatesACocoPanopticRunWithTheIndexsCategories() throws Exception {
    Path coco = Cli.SAMPLES.resolve("coco");
    Path data = tmp.resolve("panoptic");
    Path images = Files.createDirectories(data.resolve("images"));
    Path pngs = Files.createDirectories(data.resolve("panoptic"));
    ObjectNode index = (ObjectNode) Cli.JSON.readTree(coco.resolve("annotations/panoptic_sample.json").toFile());
    for (JsonNode a : index.get("annotations")) {
      String stem = a.get("file_name").asText().replace(".png", "");
      Files.copy(coco.resolve("val2017/" + stem + ".jpg"), images.resolve(stem + ".jpg"));
      Files.copy(coco.resolve("annotations/panoptic_sample/" + stem + ".png"), pngs.resolve(stem + ".png"));
    }
    ObjectNode image = ((ObjectNode) index.get("images").get(0)).deepCopy();
    ObjectNode annotation = ((ObjectNode) index.get("annotations").get(0)).deepCopy();
    String stem = image.get("file_name").asText().replace(".jpg", "");
    image.put("id", 1).put("file_name", "copy.jpg");
    annotation.put("image_id", 1).put("file_name", "copy.png");
    ((ArrayNode) index.get("images")).add(image);
    ((ArrayNode) index.get("annotations")).add(annotation);
    Files.copy(images.resolve(stem + ".jpg"), images.resolve("copy.jpg"));
    Files.copy(pngs.resolve(stem + ".png"), pngs.resolve("copy.png"));
    Cli.JSON.writeValue(data.resolve("panoptic.json").toFile(), index);

    Path out = tmp.resolve("out");
    Cli.Run run = Cli.protect("--format", "coco-panoptic", "--images", images.toString(), "--annotations",
        data.resolve("panoptic.json").toString(), "--output", out.toString());
    assertEquals(0, run.code(), run.err());
    Cli.Run eval = Cli.runCli(new String[] {"evaluate", "--protected", out.toString(), "--sample", "2", "--test", "1",
        "--labels", "top:3", "--base-size", "32", "--crop", "32", "--epochs", "1", "--model", "deeplab", "--run-id", "pan"});
    assertEquals(0, eval.code(), eval.err());
    assertTrue(eval.out().contains("trained on 2 coco-panoptic images (3 classes), tested on 1 clean images"), eval.out());
    JsonNode report = Cli.JSON.readTree(out.resolve("_unseg/evaluation/pan/report.json").toFile());
    java.util.Set<String> categories = new java.util.HashSet<>();
    index.get("categories").forEach(c -> categories.add(c.get("name").asText()));
    JsonNode classes = report.get("classes");
    assertEquals(4, classes.size());
    assertEquals("background", classes.get(0).asText());
    for (int c = 1; c < 4; c++) {
      assertTrue(categories.contains(classes.get(c).asText()), classes.toString());
    }
    assertEquals("coco-panoptic", report.at("/settings/format").asText());
  }

  /** A bad start is refused before any training, with exit 2 and the key to change. */
  @Test
  void anUnknownFormatIsAUserError() throws Exception {
    Cli.Run eval = Cli.runCli(new String[] {"evaluate", "--controls", "--format", "coco-instances", "--images",
        tmp.toString(), "--annotations", tmp.toString(), "--report", tmp.resolve("report").toString()});
    assertEquals(2, eval.code(), eval.err());
    assertTrue(eval.err().contains("unseg.input.format = 'coco-instances' is not valid"), eval.err());
    // A missing index or images folder: its flag named, not an internal error.
    Cli.Run noIndex = Cli.runCli(new String[] {"evaluate", "--controls", "--format", "coco", "--images",
        tmp.toString(), "--annotations", tmp.resolve("absent.json").toString(), "--report", tmp.resolve("report").toString()});
    assertEquals(2, noIndex.code(), noIndex.err());
    assertTrue(noIndex.err().contains("absent.json does not exist: give --annotations the dataset's index JSON"), noIndex.err());
    Cli.Run noImages = Cli.runCli(new String[] {"evaluate", "--controls", "--format", "ade20k", "--images",
        tmp.resolve("absent").toString(), "--annotations", tmp.toString(), "--report", tmp.resolve("report").toString()});
    assertEquals(2, noImages.code(), noImages.err());
    assertTrue(noImages.err().contains("absent/ does not exist: give --images the folder of the dataset's images"), noImages.err());
  }
}
