package dev.unseg.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unseg.jobs.testing.ChildProcess;
import dev.unseg.jobs.testing.Cli;
import dev.unseg.jobs.testing.Datasets;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6: the same input, config and key give byte-identical outputs; retried tasks, a killed
 * driver and an incremental rerun all end in the output of one clean run, one row per image; an
 * existing run is never written over without --resume or --overwrite.
 */
class RetryAndResumeTest {
  @TempDir Path tmp;

  /**
   * An image that failed (here, its mask missing) and was fixed since is protected by --resume, into the
   * bytes a run of the fixed dataset writes; one still bad fails again; each keeps one manifest row.
   */
  @Test
  void resumeTriesFailedImagesAgain() throws Exception {
    Path data = tmp.resolve("data");
    Datasets.dataset(data, 0, 6, 64);
    Path clean = tmp.resolve("clean");
    assertEquals(0, Cli.protect(Datasets.protectArgs(data, clean)).code());
    Path mask = data.resolve("masks/img_0001.png");
    Path aside = Files.move(mask, tmp.resolve("aside.png"));
    Files.write(data.resolve("images/img_0003.png"), new byte[0]); // stays bad
    Path out = tmp.resolve("out");
    assertEquals(0, Cli.protect(Datasets.protectArgs(data, out)).code());
    Files.move(aside, mask);
    Cli.Run resumed = Cli.protect(Datasets.protectArgs(data, out, "--resume"));
    assertEquals(0, resumed.code(), resumed.err());
    assertTrue(resumed.err().contains("1 image failed (image_unreadable 1); its manifest row says why"), resumed.err());
    Map<String, String> status = new java.util.HashMap<>();
    Cli.inspectRows(out).forEach(r -> status.put(r.get("input_path").asText(), r.get("status").asText()));
    assertEquals(6, status.size(), "one row per image: " + status);
    assertEquals("protected", status.get("img_0001.png"));
    assertEquals("failed", status.get("img_0003.png"));
    String fixed = "images/img_0001.png";
    assertEquals(Datasets.contentTree(clean).get(fixed), Datasets.contentTree(out).get(fixed));
  }

  @Test
  void retriedTasksEndLikeAFaultFreeRun() throws Exception {
    Path data = tmp.resolve("data");
    Datasets.dataset(data, 0, 12, 64);
    Path clean = tmp.resolve("clean");
    Path again = tmp.resolve("again");
    Path faulty = tmp.resolve("faulty");
    assertEquals(0, Cli.protect(Datasets.protectArgs(data, clean, "--partitions", "4")).code());
    assertEquals(0, Cli.protect(Datasets.protectArgs(data, again, "--partitions", "3")).code());
    // local[2,4]: up to 4 attempts per task; partitions 0 and 2 throw on attempt 0 after publishing.
    Cli.Run run = Cli.runCli(Stream.of(new String[] {"protect"},
        Datasets.protectArgs(data, faulty, "--partitions", "4"),
        new String[] {"--key", "test-key", "--master", "local[2,4]", "--conf", "spark.ui.enabled=false",
            "--conf", "unseg.run.progress-interval=0", "--conf", "unseg.testing.fail-partitions-on-first-attempt=[0,2]"})
        .flatMap(Stream::of).toArray(String[]::new));
    assertEquals(0, run.code(), run.err());

    Map<String, String> expected = Datasets.contentTree(clean);
    assertEquals(12 * 3 + 1 + 2 + 4 * 4, expected.size(),
        "images, masks copied, eps masks, settings.json, the report's 2 charts and 4 samples' 4 pictures: " + expected.keySet());
    assertEquals(expected, Datasets.contentTree(again), "same input, config and key: byte-identical");
    assertEquals(expected, Datasets.contentTree(faulty), "retried tasks: byte-identical to a fault-free run");
    assertEquals(Datasets.stableManifest(clean), Datasets.stableManifest(faulty));

    List<JsonNode> rows = Cli.inspectRows(faulty); // asserts one row per image
    assertEquals(12, rows.size());
    for (JsonNode r : rows) {
      int partition = r.get("partition_id").asInt();
      assertEquals(partition == 0 || partition == 2 ? 1 : 0, r.get("task_attempt").asInt(), r.toString());
    }
    // The failed attempts left their records; the manifest still has one row per image.
    try (Stream<Path> records = Files.list(faulty.resolve("_unseg/records"))) {
      long failedAttemptRecords = records.filter(p -> p.getFileName().toString().endsWith(".json")).count() - 4;
      assertTrue(failedAttemptRecords >= 1, "the injected failures happened after the records were published");
    }
    assertTrue(Files.exists(faulty.resolve("_SUCCESS")));
  }

  @Test
  void refusesAnExistingRunUnlessResumeOrOverwrite() throws Exception {
    Path data = tmp.resolve("data");
    Datasets.dataset(data, 0, 4, 48);
    Map<String, String> inputs = Datasets.contentTree(data);
    Path out = tmp.resolve("out");
    assertEquals(0, Cli.protect(Datasets.protectArgs(data, out)).code());
    Map<String, String> first = Datasets.contentTree(out);

    Cli.Run again = Cli.protect(Datasets.protectArgs(data, out));
    assertEquals(2, again.code());
    assertTrue(again.err().contains("already holds a run") && again.err().contains("--resume")
        && again.err().contains("--overwrite"), again.err());
    Cli.Run both = Cli.protect(Datasets.protectArgs(data, out, "--resume", "--overwrite"));
    assertEquals(2, both.code());
    assertTrue(both.err().contains("unseg.run.resume") && both.err().contains("unseg.run.overwrite"), both.err());
    assertEquals(first, Datasets.contentTree(out), "a refused run changes nothing");

    // --overwrite removes what the old run left (a stale image), and nothing outside the output root.
    Files.writeString(out.resolve("images/stale.png"), "left by an older run");
    Path neighbour = tmp.resolve("out-neighbour.txt");
    Files.writeString(neighbour, "not ours");
    Cli.Run overwrite = Cli.protect(Datasets.protectArgs(data, out, "--overwrite", "--run-id", "second"));
    assertEquals(0, overwrite.code(), overwrite.err());
    assertFalse(Files.exists(out.resolve("images/stale.png")));
    assertTrue(Files.exists(neighbour));
    assertEquals(first, Datasets.contentTree(out));
    for (JsonNode r : Cli.inspectRows(out)) {
      assertEquals("second", r.get("run_id").asText());
    }
    try (Stream<Path> records = Files.list(out.resolve("_unseg/records"))) {
      assertTrue(records.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json"))
          .allMatch(n -> n.startsWith("part-second-")), "old records wiped");
    }
    assertEquals(inputs, Datasets.contentTree(data), "the inputs were only read");
  }

  @Test
  void resumeAfterTheDriverIsKilledEqualsAnUninterruptedRun() throws Exception {
    Path data = datasetAndUninterruptedRun();
    Path reference = tmp.resolve("reference");
    Path out = tmp.resolve("out");
    Process p = protectUntilThreeRecords(data, out, "killed");
    Path records = out.resolve("_unseg/records");
    p.destroyForcibly();
    p.waitFor(1, TimeUnit.MINUTES);
    String log = Files.readString(tmp.resolve("log.txt"), StandardCharsets.UTF_8);
    assertFalse(Files.exists(out.resolve("_SUCCESS")), "the run must have been killed before it finished: " + log);
    long kept = recordFiles(records);
    long keptRows = recordRows(records);
    assertTrue(kept >= 3 && keptRows < 48, kept + " task records before the kill\n" + log);

    // The commands that read a finished run say that this one has not finished, and how to finish it.
    for (String[] read : new String[][] {{"inspect", out.toString()}, {"verify", "--output", out.toString()}}) {
      Cli.Run early = Cli.runCli(read);
      assertEquals(2, early.code(), early.err());
      assertTrue(early.err().contains("holds a protect run that has not written its manifest")
          && early.err().contains("--resume"), early.err());
    }

    // The killed driver's lease is live until it expires: a second run is refused, then takes it over.
    Map<String, String> killedTree = Datasets.contentTree(out);
    Cli.Run tooSoon = Cli.protect(Datasets.protectArgs(data, out, "--resume"));
    assertEquals(2, tooSoon.code(), tooSoon.err());
    assertTrue(tooSoon.err().contains("in use by run killed") && tooSoon.err().contains("unseg.run.lease-expiry"), tooSoon.err());
    // The killed JVM ran on this host: the refusal says it is gone, and when the lease expires.
    assertTrue(tooSoon.err().contains("runs on this host now: that run died") && tooSoon.err().matches("(?s).*, in \\d+ s; then --resume.*"),
        tooSoon.err());
    assertEquals(killedTree, Datasets.contentTree(out), "a refused run changes nothing");
    Thread.sleep(1200);
    Cli.Run resumed = Cli.protect(Datasets.protectArgs(data, out, "--resume", "--run-id", "resumed",
        "--conf", "unseg.run.lease-expiry=1s"));
    assertEquals(0, resumed.code(), resumed.err());
    assertTrue(resumed.err().contains("taking over the output from run killed"), resumed.err());
    assertFalse(Files.exists(out.resolve("_unseg/lease.json")), "the lease is released when the run ends");
    assertEquals(Datasets.contentTree(reference), Datasets.contentTree(out));
    assertEquals(Datasets.stableManifest(reference), Datasets.stableManifest(out));
    try (Stream<Path> all = Files.walk(out)) {
      assertTrue(all.noneMatch(f -> f.getFileName().toString().startsWith("._unseg_tmp_")), "temporary files of the killed run removed");
    }
    Map<String, Long> byRun = new HashMap<>();
    for (JsonNode r : Cli.inspectRows(out)) {
      byRun.merge(r.get("run_id").asText(), 1L, Long::sum);
    }
    // The killed run's finished tasks were not redone.
    assertEquals(keptRows, byRun.get("killed"), byRun.toString());
    assertEquals(48 - keptRows, byRun.get("resumed"), byRun.toString());
    assertTrue(Files.exists(out.resolve("_SUCCESS")));
  }

  @Test
  void stoppedByCtrlCTheRunSaysSoAndResumeFinishesItAtOnce() throws Exception {
    // SIGTERM (Ctrl-C, a scheduler's stop) mid-run: Spark's shutdown hook stops the context under the job, which
    // used to print "internal error: ... SparkContext was shut down; please report it". Now: what happened and
    // what to do, the lease released, so --resume can start at once.
    Path data = datasetAndUninterruptedRun();
    Path reference = tmp.resolve("reference");
    Path out = tmp.resolve("out");
    Process p = protectUntilThreeRecords(data, out, "stopped");
    p.destroy(); // SIGTERM
    assertTrue(p.waitFor(1, TimeUnit.MINUTES), "not stopped within a minute");
    String log = Files.readString(tmp.resolve("log.txt"), StandardCharsets.UTF_8);
    assertFalse(Files.exists(out.resolve("_SUCCESS")), "the run must have been stopped before it finished: " + log);
    assertEquals(143, p.exitValue(), log);
    assertTrue(log.contains("unseg: stopped by Ctrl-C or SIGTERM before protect finished") && log.contains("--resume"), log);
    assertFalse(log.contains("internal error") || log.contains("SparkException"), log);
    assertFalse(Files.exists(out.resolve("_unseg/lease.json")), "a stopped run releases its lease");

    Cli.Run resumed = Cli.protect(Datasets.protectArgs(data, out, "--resume", "--run-id", "resumed"));
    assertEquals(0, resumed.code(), resumed.err());
    assertEquals(Datasets.contentTree(reference), Datasets.contentTree(out));
    assertEquals(Datasets.stableManifest(reference), Datasets.stableManifest(out));
  }

  @Test
  void imagesAddedLaterAreProtectedWithoutRedoingTheOthers() throws Exception {
    Path data = tmp.resolve("data");
    Datasets.dataset(data, 0, 6, 48);
    Path out = tmp.resolve("out");
    assertEquals(0, Cli.protect(Datasets.protectArgs(data, out, "--run-id", "first")).code());
    Map<String, FileTime> before = mtimes(out.resolve("images"));
    Thread.sleep(1100); // coarse file-system clocks

    Datasets.dataset(data, 6, 3, 48);
    Cli.Run more = Cli.protect(Datasets.protectArgs(data, out, "--resume", "--run-id", "second"));
    assertEquals(0, more.code(), more.err());
    Map<String, FileTime> after = mtimes(out.resolve("images"));
    before.forEach((f, t) -> assertEquals(t, after.get(f), f + " was rewritten"));
    assertEquals(9, after.size());
    Map<String, Long> byRun = new HashMap<>();
    for (JsonNode r : Cli.inspectRows(out)) {
      byRun.merge(r.get("run_id").asText(), 1L, Long::sum);
      assertEquals("protected", r.get("status").asText());
    }
    assertEquals(Map.of("first", 6L, "second", 3L), byRun);
    assertTrue(Files.exists(out.resolve("_SUCCESS")));

    // Resuming with settings that change the outputs is refused, naming the key.
    Cli.Run other = Cli.protect(Datasets.protectArgs(data, out, "--resume", "--eps", "4"));
    assertEquals(2, other.code(), other.err());
    assertTrue(other.err().contains("unseg.noise.eps") && other.err().contains("--overwrite"), other.err());
    assertTrue(Files.exists(out.resolve("_SUCCESS")), "a refused resume changes nothing");

    // The same dataset protected in one go gives the same files.
    Path oneGo = tmp.resolve("one-go");
    assertEquals(0, Cli.protect(Datasets.protectArgs(data, oneGo)).code());
    assertEquals(Datasets.contentTree(oneGo), Datasets.contentTree(out));
  }

  /**
   * --resume follows the dataset as it is now: an image replaced since (another size, or the same size
   * written since with other bytes) is protected again, one only touched is not, one replaced by a broken
   * file fails and its old copy leaves the release; a failed image taken out
   * of the dataset loses its row; one taken out while its protected copy is still in the release is
   * refused, naming the copy, and goes once that copy is deleted. The images then equal a fresh run's.
   */
  @Test
  void resumeFollowsTheDatasetAsItIsNow() throws Exception {
    Path data = tmp.resolve("data");
    Datasets.dataset(data, 0, 4, 48);
    Path images = data.resolve("images");
    Path tiff = images.resolve("img_0009.tif");
    writeUncompressedTiff(tiff, 0x203040);
    BufferedImage tiffMask = new BufferedImage(40, 30, BufferedImage.TYPE_BYTE_GRAY);
    tiffMask.getRaster().setSample(10, 10, 0, 255);
    ImageIO.write(tiffMask, "png", data.resolve("masks/img_0009.png").toFile());
    Files.write(images.resolve("img_0008.png"), new byte[0]); // fails
    Path out = tmp.resolve("out");
    assertEquals(0, Cli.protect(Datasets.protectArgs(data, out, "--run-id", "first")).code());
    Thread.sleep(1100); // coarse file-system clocks

    Path replaced = images.resolve("img_0001.png");
    BufferedImage edited = ImageIO.read(replaced.toFile());
    edited.getRaster().setSample(3, 3, 0, 255 - edited.getRaster().getSample(3, 3, 0));
    ImageIO.write(edited, "png", replaced.toFile());
    long tiffBytes = Files.size(tiff);
    writeUncompressedTiff(tiff, 0x405060);
    assertEquals(tiffBytes, Files.size(tiff), "the TIFF keeps its size: only its bytes say it changed");
    Files.setLastModifiedTime(images.resolve("img_0002.jpg"), FileTime.from(java.time.Instant.now())); // touched only
    byte[] original = Files.readAllBytes(images.resolve("sub/img_0000.jpg"));
    Files.write(images.resolve("sub/img_0000.jpg"), new byte[] {1, 2, 3}); // replaced by a broken file
    Files.delete(images.resolve("img_0008.png"));
    Files.delete(images.resolve("img_0003.png"));

    Cli.Run refused = Cli.protect(Datasets.protectArgs(data, out, "--resume", "--run-id", "refused"));
    assertEquals(2, refused.code(), refused.err());
    Path copy = out.resolve("images/img_0003.png");
    assertTrue(refused.err().contains("1 image protected by an earlier run") && refused.err().contains("(img_0003.png)")
        && refused.err().contains(copy.toString()), refused.err());
    assertTrue(Files.exists(out.resolve("_SUCCESS")), "a refused resume changes nothing");
    assertFalse(Files.exists(out.resolve("_unseg/plan")), "nor leaves its plan");

    Files.delete(copy);
    Cli.Run resumed = Cli.protect(Datasets.protectArgs(data, out, "--resume", "--run-id", "second"));
    assertEquals(0, resumed.code(), resumed.err());
    assertTrue(resumed.err().contains("3 images have changed since an earlier run protected them"), resumed.err());
    assertTrue(resumed.err().contains("1 image failed (image_unreadable 1)"), resumed.err());
    Map<String, String> runs = new HashMap<>();
    Cli.inspectRows(out).forEach(r -> runs.put(r.get("input_path").asText(), r.get("run_id").asText() + " " + r.get("status").asText()));
    assertEquals(Map.of("sub/img_0000.jpg", "second failed", "img_0001.png", "second protected", "img_0002.jpg",
        "first protected", "img_0009.tif", "second protected"), runs);
    assertFalse(Files.exists(out.resolve("images/sub/img_0000.jpg")), "the copy of the file it replaced is gone");

    // The broken file put back as it was: its failure stands no more, so it is protected again; and a
    // copy deleted from the release is written again.
    Files.write(images.resolve("sub/img_0000.jpg"), original);
    Files.delete(out.resolve("images/img_0002.jpg"));
    Cli.Run restored = Cli.protect(Datasets.protectArgs(data, out, "--resume", "--run-id", "third"));
    assertEquals(0, restored.code(), restored.err());
    Cli.inspectRows(out).forEach(r -> runs.put(r.get("input_path").asText(), r.get("run_id").asText() + " " + r.get("status").asText()));
    assertEquals("third protected", runs.get("sub/img_0000.jpg"));
    assertEquals("third protected", runs.get("img_0002.jpg"));
    assertTrue(restored.err().contains("1 protected copy was no longer in the release: written again"), restored.err());
    Path fresh = tmp.resolve("fresh");
    assertEquals(0, Cli.protect(Datasets.protectArgs(data, fresh)).code());
    assertEquals(images(Datasets.contentTree(fresh)), images(Datasets.contentTree(out)));
    Cli.Run verified = Cli.runCli(new String[] {"verify", "--output", out.toString(), "--originals", images.toString(),
        "--master", "local[2]", "--conf", "spark.ui.enabled=false"});
    assertEquals(0, verified.code(), verified.out() + verified.err());
  }

  /**
   * Masks edited after a run: --resume protects again the images whose mask changed (the release's image and
   * copied mask end as a fresh run's), fails those whose mask is now broken or gone (their stale copies
   * deleted), copies a mask only touched into the release again without redoing its image, and a further
   * resume redoes nothing it has already looked at.
   */
  @Test
  void resumeFollowsEditedMasks() throws Exception {
    Path data = tmp.resolve("data");
    Datasets.dataset(data, 0, 5, 48);
    Path masks = data.resolve("masks");
    Path out = tmp.resolve("out");
    assertEquals(0, Cli.protect(Datasets.protectArgs(data, out, "--run-id", "first")).code());
    Thread.sleep(1100); // coarse file-system clocks

    Datasets.eraseLeftHalf(masks.resolve("img_0001.png"), masks.resolve("img_0001.png"));
    Path touched = masks.resolve("img_0002.png");
    Files.setLastModifiedTime(touched, FileTime.from(java.time.Instant.now()));
    FileTime touchedImage = Files.getLastModifiedTime(out.resolve("images/img_0002.jpg"));
    byte[] brokenMask = Files.readAllBytes(masks.resolve("img_0003.png"));
    Files.write(masks.resolve("img_0003.png"), new byte[] {1, 2, 3});
    Files.delete(masks.resolve("sub/img_0000.png"));

    Cli.Run resumed = Cli.protect(Datasets.protectArgs(data, out, "--resume", "--run-id", "second"));
    assertEquals(0, resumed.code(), resumed.err());
    assertTrue(resumed.err().contains("3 images' annotations have changed since an earlier run protected them"), resumed.err());
    assertTrue(resumed.err().contains("1 image's annotation was written since an earlier run protected it and makes the"
        + " same mask: copied into the release again"), resumed.err());
    Map<String, String> runs = new HashMap<>();
    Cli.inspectRows(out).forEach(r -> runs.put(r.get("input_path").asText(), r.get("run_id").asText() + " "
        + r.get("status").asText() + (r.get("error_code").isNull() ? "" : " " + r.get("error_code").asText())));
    assertEquals(Map.of("sub/img_0000.jpg", "second failed annotation_missing", "img_0001.png", "second protected",
        "img_0002.jpg", "first protected", "img_0003.png", "second failed annotation_invalid", "sub/img_0004.jpg",
        "first protected"), runs);
    assertFalse(Files.exists(out.resolve("images/img_0003.png")), "the copy protected with the old mask is gone");
    assertFalse(Files.exists(out.resolve("images/sub/img_0000.jpg")), "the copy protected with the old mask is gone");
    assertEquals(touchedImage, Files.getLastModifiedTime(out.resolve("images/img_0002.jpg")), "an image not redone");
    JsonNode summary = Cli.JSON.readTree(out.resolve("_unseg/summary.json").toFile());
    assertEquals(3, summary.get("changed_annotations").asLong());
    assertEquals(1, summary.get("recopied_annotations").asLong());
    assertEquals(2, summary.get("done_before").asLong());
    assertTrue(resumed.out().contains("; 3 done by this run, 2 as earlier runs left them, in "), resumed.out());

    Cli.Run again = Cli.protect(Datasets.protectArgs(data, out, "--resume", "--run-id", "third"));
    assertEquals(0, again.code(), again.err());
    assertFalse(again.err().contains("since an earlier run"), "nothing new to look at: " + again.err());

    Files.write(masks.resolve("img_0003.png"), brokenMask);
    Files.copy(masks.resolve("img_0001.png"), masks.resolve("sub/img_0000.png"));
    assertEquals(0, Cli.protect(Datasets.protectArgs(data, out, "--resume", "--run-id", "fourth")).code());
    Path fresh = tmp.resolve("fresh");
    assertEquals(0, Cli.protect(Datasets.protectArgs(data, fresh)).code());
    Map<String, String> released = new java.util.TreeMap<>(Datasets.contentTree(out));
    released.keySet().removeIf(rel -> !rel.startsWith("images/") && !rel.startsWith("masks/"));
    Map<String, String> expected = new java.util.TreeMap<>(Datasets.contentTree(fresh));
    expected.keySet().removeIf(rel -> !rel.startsWith("images/") && !rel.startsWith("masks/"));
    assertEquals(expected, released, "images and copied masks as a fresh run on the dataset as it is now");
  }

  /**
   * An image without annotations is released unchanged (no_mask); annotated since, --resume protects it (it
   * stayed an unprotected original in the release), and leaves the protected one alone.
   */
  @Test
  void resumeProtectsAnImageAnnotatedSince() throws Exception {
    Path index = tmp.resolve("annotations/instances.json");
    Files.createDirectories(index.getParent());
    com.fasterxml.jackson.databind.node.ObjectNode full = (com.fasterxml.jackson.databind.node.ObjectNode) Cli.JSON.readTree(
        Cli.SAMPLES.resolve("coco/annotations/instances_sample.json").toFile());
    com.fasterxml.jackson.databind.node.ObjectNode partial = full.deepCopy();
    com.fasterxml.jackson.databind.node.ArrayNode kept = partial.putArray("annotations");
    full.get("annotations").forEach(a -> {
      if (a.get("image_id").asLong() == 142238) {
        kept.add(a);
      }
    });
    Cli.JSON.writeValue(index.toFile(), partial);
    String[] args = {"--format", "coco", "--images", Cli.SAMPLES.resolve("coco/val2017").toString(), "--annotations",
        index.toString(), "--output", tmp.resolve("out").toString()};
    assertEquals(0, Cli.protect(concat(args, "--run-id", "first")).code());
    Map<String, String> status = new HashMap<>();
    Cli.inspectRows(tmp.resolve("out")).forEach(r -> status.put(r.get("input_path").asText(), r.get("status").asText()));
    assertEquals(Map.of("000000142238.jpg", "protected", "000000439180.jpg", "no_mask"), status);

    Cli.JSON.writeValue(index.toFile(), full);
    Cli.Run resumed = Cli.protect(concat(args, "--resume", "--run-id", "second"));
    assertEquals(0, resumed.code(), resumed.err());
    Cli.inspectRows(tmp.resolve("out")).forEach(r -> status.put(r.get("input_path").asText(),
        r.get("run_id").asText() + " " + r.get("status").asText()));
    assertEquals(Map.of("000000142238.jpg", "first protected", "000000439180.jpg", "second protected"), status);

    // Objects of a protected image taken out of the index: its mask changed, so it is protected again; the
    // other, whose annotations are as they were, is left alone.
    com.fasterxml.jackson.databind.node.ObjectNode fewer = full.deepCopy();
    com.fasterxml.jackson.databind.node.ArrayNode some = fewer.putArray("annotations");
    full.get("annotations").forEach(a -> {
      if (a.get("image_id").asLong() != 142238 || some.size() % 2 == 0) {
        some.add(a);
      }
    });
    Thread.sleep(1100); // coarse file-system clocks
    Cli.JSON.writeValue(index.toFile(), fewer);
    Cli.Run edited = Cli.protect(concat(args, "--resume", "--run-id", "third"));
    assertEquals(0, edited.code(), edited.err());
    assertTrue(edited.err().contains("1 image's annotation has changed since an earlier run protected it"), edited.err());
    Cli.inspectRows(tmp.resolve("out")).forEach(r -> status.put(r.get("input_path").asText(),
        r.get("run_id").asText() + " " + r.get("status").asText()));
    assertEquals(Map.of("000000142238.jpg", "third protected", "000000439180.jpg", "second protected"), status);
    String[] fresh = args.clone();
    fresh[fresh.length - 1] = tmp.resolve("fresh").toString(); // --output's value
    assertEquals(0, Cli.protect(fresh).code());
    assertEquals(jpegs(Datasets.contentTree(tmp.resolve("fresh"))), jpegs(Datasets.contentTree(tmp.resolve("out"))));
    Cli.Run again = Cli.protect(concat(args, "--resume", "--run-id", "fourth"));
    assertEquals(0, again.code(), again.err());
    assertFalse(again.err().contains("since an earlier run"), "the index was looked at: " + again.err());
  }

  private static String[] concat(String[] args, String... more) {
    return Stream.concat(Stream.of(args), Stream.of(more)).toArray(String[]::new);
  }

  private static Map<String, String> images(Map<String, String> tree) {
    Map<String, String> images = new java.util.TreeMap<>(tree);
    images.keySet().removeIf(rel -> !rel.startsWith("images/"));
    return images;
  }

  private static Map<String, String> jpegs(Map<String, String> tree) {
    Map<String, String> jpegs = new java.util.TreeMap<>(tree);
    jpegs.keySet().removeIf(rel -> !rel.endsWith(".jpg"));
    return jpegs;
  }

  /** A 40x30 TIFF without compression: its size is the same whatever its colour. */
  private static void writeUncompressedTiff(Path file, int rgb) throws Exception {
    BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_3BYTE_BGR);
    for (int y = 0; y < 30; y++) {
      for (int x = 0; x < 40; x++) {
        img.setRGB(x, y, rgb + x * 3 + y);
      }
    }
    ImageIO.write(img, "tif", file.toFile());
  }

  /** 48 images under data/, protected in one uninterrupted run into reference/: what a stopped run must end as. */
  private Path datasetAndUninterruptedRun() throws Exception {
    Path data = tmp.resolve("data");
    Datasets.dataset(data, 0, 48, 160);
    assertEquals(0, Cli.protect(Datasets.protectArgs(data, tmp.resolve("reference"))).code());
    return data;
  }

  /** A protect run in a child JVM, one image per task, returned once three tasks have recorded (or it ended). */
  private Process protectUntilThreeRecords(Path data, Path out, String runId) throws Exception {
    List<String> cmd = new ArrayList<>(ChildProcess.java("768m", System.getProperty("java.class.path"), "dev.unseg.jobs.cli.UnsegCli", "protect"));
    cmd.addAll(List.of(Datasets.protectArgs(data, out, "--run-id", runId, "--key", "test-key", "--master", "local[1]",
        "--conf", "spark.ui.enabled=false", "--conf", "unseg.partitions.size=2", "--conf", "unseg.pipeline.threads=1")));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("log.txt").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (recordFiles(out.resolve("_unseg/records")) < 3 && p.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    return p;
  }

  private static long recordFiles(Path dir) throws Exception {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json") && !n.startsWith(".")).count();
    }
  }

  private static long recordRows(Path dir) throws Exception {
    long rows = 0;
    try (Stream<Path> s = Files.list(dir)) {
      for (Path f : s.filter(p -> p.getFileName().toString().endsWith(".json") && !p.getFileName().toString().startsWith(".")).toList()) {
        rows += Files.readAllLines(f).size();
      }
    }
    return rows;
  }

  private static Map<String, FileTime> mtimes(Path dir) throws Exception {
    Map<String, FileTime> m = new HashMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path f : s.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith(".")).toList()) {
        m.put(dir.relativize(f).toString(), Files.getLastModifiedTime(f));
      }
    }
    return m;
  }
}
