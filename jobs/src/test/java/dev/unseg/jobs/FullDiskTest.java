package dev.unseg.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unseg.jobs.io.Storage;
import dev.unseg.jobs.testing.ChildProcess;
import dev.unseg.jobs.testing.Cli;
import dev.unseg.jobs.testing.Datasets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full local disk: the output is a small tmpfs (CI runs as root, as this test must). The run must
 * end (no hang) with a clean stop that names the cause and the fix (or failed rows that do), never
 * claim success, never leave a truncated image under its final name; once space is freed, --resume
 * completes the output byte for byte as a clean run into an ordinary folder writes it.
 */
class FullDiskTest {
  static final int IMAGES = 40;
  static final long PAGE = 4096; // tmpfs charges whole pages per file; folders cost nothing
  private static final Pattern STACK_FRAME = Pattern.compile("^\\s+at [\\w$.]+\\(.*\\)\\s*$", Pattern.MULTILINE);

  @TempDir Path tmp;
  private final List<Path> mounts = new ArrayList<>();
  private Path data;
  private Path clean;
  private Map<String, String> expected;

  /** The reference: the same dataset protected into an ordinary folder. */
  private void cleanRun() throws Exception {
    data = tmp.resolve("data");
    Datasets.dataset(data, 0, IMAGES, 160);
    clean = tmp.resolve("clean");
    Cli.Run reference = Cli.protect(Datasets.protectArgs(data, clean));
    assertEquals(0, reference.code(), reference.err());
    expected = Datasets.contentTree(clean);
    // Report pictures: 2 charts and 4 per sample image (unseg.report.samples = 4).
    assertEquals(IMAGES * 3 + 1 + 2 + 4 * 4, expected.size(),
        "images, copied masks, eps masks, settings.json, report pictures: " + expected.keySet());
  }

  @AfterEach
  void unmount() throws Exception {
    for (Path m : mounts) {
      sh(Duration.ofSeconds(30), "umount", "-l", m.toString());
    }
  }

  /** The images fill the disk: the tasks stop, the run stops naming the output and --resume. */
  @Test
  void imagesFillTheDiskThenResumeFinishesTheRun() throws Exception {
    cleanRun();
    long released = pages(clean, rel -> !rel.startsWith("_unseg/"));
    Path disk = mount("size=" + released / 2 / 1024 + "k");
    Path out = disk.resolve("out");

    Stopped stopped = protectInChildJvm(out);
    checkStopped(stopped, out, "protecting the images");
    long kept = countFiles(out.resolve("images"));
    System.out.printf("FullDiskTest: tmpfs of %d KiB (the clean run releases %d KiB): exit %d, %d of %d images written%n",
        released / 2 / 1024, released / 1024, stopped.code(), kept, IMAGES);
    assertTrue(kept > 0 && kept < IMAGES, "about half the images fit: " + kept);

    resumeWithSpace(disk, out);
  }

  /**
   * Every image and record fits, the Parquet manifest (Spark's writer) does not: the run still stops
   * cleanly, exit 1, one message naming the cause; --resume then only rebuilds the manifest.
   */
  @Test
  void theManifestDoesNotFitThenResumeFinishesTheRun() throws Exception {
    cleanRun();
    // What a run has written when it starts the manifest: the released files, the eps masks,
    // settings.json, the task records, and the plan's chunk file with the .crc Hadoop's file system
    // adds beside it (one page each, 40 tasks make a chunk under 4 KiB).
    long beforeManifest = pages(clean, rel -> !rel.startsWith("_unseg/manifest") && !rel.equals("_unseg/summary.json")
        && !rel.startsWith("_unseg/report") && !rel.equals("_SUCCESS")) + 2 * PAGE; // the report comes after the manifest
    // The manifest needs its Parquet file, the .crc beside it and the .crc of Spark's _SUCCESS marker.
    long manifest = pages(clean, rel -> rel.startsWith("_unseg/manifest/") && rel.endsWith(".parquet")) + 2 * PAGE;
    // Half of that is left free: room for an estimate off by a page or two either way (a record a
    // page longer for its timings), never for the manifest.
    long slack = manifest / PAGE / 2 * PAGE;
    assertTrue(slack >= PAGE, "the test's premise: a manifest of several pages: " + manifest);
    System.out.printf("FullDiskTest: %d KiB before the manifest, which needs %d KiB; tmpfs of %d KiB%n",
        beforeManifest / 1024, manifest / 1024, (beforeManifest + slack) / 1024);
    Path disk = mount("size=" + (beforeManifest + slack) / 1024 + "k");
    Path out = disk.resolve("out");

    Stopped stopped = protectInChildJvm(out);
    checkStopped(stopped, out, "writing the manifest _unseg/manifest");
    assertEquals(1, stopped.code(), stopped.console());
    assertEquals(IMAGES, countFiles(out.resolve("images")), "every image was written before the manifest");
    resumeWithSpace(disk, out);
  }

  /**
   * Files the driver copies by streaming (a COCO index, hundreds of MB) go through a temporary name
   * too: a copy that does not fit leaves the target as it was (absent, or its old bytes), never a
   * truncated file under its name, and no temporary file.
   */
  @Test
  void aStreamedCopyThatDoesNotFitLeavesNoTruncatedFile() throws Exception {
    Path disk = mount("size=16k");
    byte[] index = Files.readAllBytes(Cli.SAMPLES.resolve("coco/annotations/instances_sample.json"));
    assertTrue(index.length > 16 * 1024, "the copy must not fit: " + index.length);
    Storage fs = Storage.of(disk.toUri(), new org.apache.hadoop.conf.Configuration());
    Path absent = disk.resolve("annotations/instances_sample.json");
    Path old = Files.createDirectories(disk.resolve("annotations")).resolve("old.json");
    Files.writeString(old, "{\"images\": []}");
    for (Path target : List.of(absent, old)) {
      byte[] before = Files.exists(target) ? Files.readAllBytes(target) : null;
      IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> fs.publish(
          new org.apache.hadoop.fs.Path(target.toUri()), new java.io.ByteArrayInputStream(index)));
      assertTrue(dev.unseg.jobs.io.OutputFullException.isOutOfSpace(e), e.toString());
      if (before == null) {
        assertFalse(Files.exists(target), "a truncated copy under the final name");
      } else {
        org.junit.jupiter.api.Assertions.assertArrayEquals(before, Files.readAllBytes(target), "the old file was replaced");
      }
    }
    assertEquals(0, temporaryFiles(disk), "temporary files left");
  }

  record Stopped(int code, String console) {}

  /** protect in its own JVM, as bin/unseg runs it: its console is all of the JVM's output. */
  private Stopped protectInChildJvm(Path out) throws Exception {
    List<String> cmd = ChildProcess.java("1g", System.getProperty("java.class.path"), "dev.unseg.jobs.cli.UnsegCli", "protect");
    cmd.addAll(List.of(Datasets.protectArgs(data, out, "--run-id", "full", "--key", "test-key", "--master", "local[2]",
        "--conf", "spark.ui.enabled=false", "--conf", "unseg.run.progress-interval=0")));
    try (ChildProcess run = ChildProcess.start("protect-" + out.getParent().getFileName(), cmd, Map.of(), tmp.resolve("logs"))) {
      int code = run.waitFor(Duration.ofMinutes(5));
      String console = run.log();
      System.out.println("FullDiskTest: exit " + code + ", console:\n" + console);
      assertTrue(code != -1, "the run on a full disk did not end within 5 minutes (killed):\n" + run.tail());
      return new Stopped(code, console);
    }
  }

  /** What a run that met a full disk may leave, and how it must say so. */
  private void checkStopped(Stopped run, Path out, String step) throws Exception {
    String console = run.console();
    long frames = STACK_FRAME.matcher(console).results().count();
    assertTrue(frames < 10, "no stack traces on the console for a full disk (" + frames + " frames):\n" + console);
    assertFalse(Files.exists(out.resolve("_SUCCESS")), "a run that did not protect every image claims success");
    if (run.code() == 1) {
      assertTrue(console.contains("No space left on device"), "the console names the cause:\n" + console);
      assertTrue(console.contains("unseg: stopped while " + step + ": the output " + out + " is full")
          && console.contains("--resume"), "the console names the step, the output and the fix:\n" + console);
    } else {
      // The other acceptable ending: the images that did not fit have failed rows that say why.
      assertEquals(0, run.code(), console);
      long failed = 0;
      for (JsonNode r : Cli.inspectRows(out)) {
        if (r.get("status").asText().equals("failed")) {
          failed++;
          assertEquals("output_write_failed", r.get("error_code").asText(), r.toString());
          assertTrue(r.get("error_message").asText().contains("No space left on device"), r.toString());
        }
      }
      assertTrue(failed > 0, "the disk was full, yet no image failed");
    }
    // No partial file under a final name: every file there decodes (images) and has a clean run's bytes.
    try (Stream<Path> files = Files.walk(out)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String rel = out.relativize(f).toString();
        if (f.getFileName().toString().startsWith(".") || !expected.containsKey(rel)) {
          continue; // temporary files (checked after --resume), records, plan, manifest
        }
        assertEquals(expected.get(rel), Datasets.contentHash(rel, Files.readAllBytes(f)), rel + " differs from the clean run's");
        if (rel.startsWith("images/")) {
          assertNotNull(ImageIO.read(f.toFile()), rel + " does not decode");
        }
      }
    }
  }

  /** Frees space (a larger tmpfs), resumes, and checks the output against the clean run. */
  private void resumeWithSpace(Path disk, Path out) throws Exception {
    long temporary = temporaryFiles(out);
    System.out.println("FullDiskTest: the stopped run left " + temporary + " temporary files");
    if (sh(Duration.ofSeconds(30), "mount", "-o", "remount,size=64m", disk.toString()) == null) {
      fail("cannot remount the tmpfs on " + disk + " with size=64m");
    }
    Cli.Run resumed = Cli.protect(Datasets.protectArgs(data, out, "--resume", "--run-id", "resumed"));
    assertEquals(0, resumed.code(), resumed.out() + resumed.err());
    assertEquals(expected, Datasets.contentTree(out), "after --resume: byte-identical to a clean run");
    assertEquals(Datasets.stableManifest(clean), Datasets.stableManifest(out));
    List<JsonNode> rows = Cli.inspectRows(out); // one row per image
    assertEquals(IMAGES, rows.size());
    assertTrue(Files.exists(out.resolve("_SUCCESS")));
    assertEquals(0, temporaryFiles(out), "--resume removed the " + temporary + " temporary files the stopped run left");
    Cli.Run verify = Cli.runCli(new String[] {"verify", "--output", out.toString(), "--originals",
        data.resolve("images").toString(), "--master", "local[2]", "--conf", "spark.ui.enabled=false"});
    assertEquals(0, verify.code(), verify.out() + verify.err());
  }

  private Path mount(String options) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("disk"));
    if (sh(Duration.ofSeconds(30), "mount", "-t", "tmpfs", "-o", options, "tmpfs", dir.toString()) == null) {
      fail("cannot mount a tmpfs on " + dir + " (mount -t tmpfs -o " + options + "): this test needs root, as CI runs it");
    }
    mounts.add(dir);
    return dir;
  }

  /** What the files of a clean output whose relative path passes {@code which} take on a tmpfs. */
  private static long pages(Path root, java.util.function.Predicate<String> which) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      long total = 0;
      for (Path f : s.filter(Files::isRegularFile).toList()) {
        if (which.test(root.relativize(f).toString())) {
          total += (Files.size(f) + PAGE - 1) / PAGE * PAGE;
        }
      }
      return total;
    }
  }

  private static long countFiles(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith(".")).count();
    }
  }

  private static long temporaryFiles(Path out) throws IOException {
    try (Stream<Path> s = Files.walk(out)) {
      return s.filter(f -> f.getFileName().toString().startsWith(Storage.TEMP_PREFIX)).count();
    }
  }

  /** Runs a command, bounded in time; its output, or null when it failed. */
  private static String sh(Duration timeout, String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      return null;
    }
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      System.out.println("FullDiskTest: " + String.join(" ", command) + " -> exit " + p.exitValue() + ": " + text);
      return null;
    }
    return text;
  }
}
