package dev.unseg.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.unseg.jobs.evaluate.DatasetSource;
import dev.unseg.jobs.evaluate.LabeledDataset;
import dev.unseg.jobs.testing.ChildProcess;
import dev.unseg.jobs.testing.Cli;
import dev.unseg.pipeline.dataset.DatasetFormat;
import dev.unseg.pipeline.audit.Sha256;
import dev.unseg.pipeline.generator.djl.TrainedGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code unseg train-generator} trains a tiny generator for a few min-min rounds on generated scenes
 * (real photos), and protect runs the model it wrote end to end through the CLI on embedded Spark.
 */
class TrainedGeneratorTest {
  @TempDir static Path tmp;
  static Path data;
  static Path model;
  static Cli.Run training;

  @BeforeAll
  static void trainATinyGenerator() throws Exception {
    data = tmp.resolve("scenes");
    assertEquals(0, Cli.runCli(new String[] {"make-dataset", "--kind", "coco", "--photos", Cli.SAMPLES.toString(),
        "--output", data.toString(), "--count", "24", "--size", "96", "--seed", "4"}).code());
    model = tmp.resolve("models/tiny.zip");
    // The defaults: the true masks as the generator's target and the whole budget (the plain
    // error-minimising min-min, whose effect shows within a few rounds). Then the verdict, with a probe
    // small enough for CI: 4 test images beyond the 16 trained on, the probe training on the other 20.
    training = Cli.runCli(new String[] {"train-generator", "--format", "coco", "--images", data.resolve("images").toString(),
        "--annotations", data.resolve("annotations.json").toString(), "--output", model.toString(), "--sample", "16",
        "--epochs", "12", "--batch-size", "2", "--conf", "unseg.train-generator.learning-rate=0.002", "--evaluate",
        "--conf", "unseg.evaluate.model=unet", "--conf", "unseg.evaluate.test=4", "--conf", "unseg.evaluate.epochs=2",
        "--conf", "unseg.evaluate.base-size=32", "--conf", "unseg.evaluate.crop=32", "--conf", "unseg.evaluate.defense=none,jpeg:75"});
    training.err().lines().filter(l -> l.startsWith("epoch")).forEach(l -> System.out.println("TrainedGeneratorTest: " + l));
    training.out().lines().forEach(l -> System.out.println("TrainedGeneratorTest: " + l));
  }

  @Test
  void theSurrogateLearnsTheNoisedImagesMoreEasilyThanTheCleanOnes() throws Exception {
    assertEquals(0, training.code(), training.err());
    assertTrue(training.out().contains("trained on 16 images for 12 epochs"), training.out());
    assertFalse(training.out().contains("unlikely to protect"), training.out());
    JsonNode header = TrainedGenerator.header(Files.readAllBytes(model), model.toString());
    JsonNode epochs = header.path("training").path("per_epoch");
    assertEquals(12, epochs.size());
    // A generator that learns nothing leaves the two equal, or the noised loss a little higher (seen with
    // eps generalisation's 1 grey level); one that learns makes the noised images easier, more each round.
    for (int e = 9; e < 12; e++) {
      double noised = epochs.get(e).get("surrogate_loss_noised").asDouble();
      double clean = epochs.get(e).get("surrogate_loss_clean").asDouble();
      assertTrue(noised < 0.99 * clean, "epoch " + (e + 1) + ": the surrogate's loss with the noise " + noised
          + " is not below its loss on the clean images " + clean + ": " + training.err());
    }
    assertTrue(training.out().contains(Sha256.hex(Files.readAllBytes(model))), training.out());
    java.awt.image.BufferedImage chart = javax.imageio.ImageIO.read(model.resolveSibling("tiny.zip.losses.png").toFile());
    assertTrue(chart != null && chart.getWidth() > 100, "the loss chart is a picture");
  }

  @Test
  void stoppedInABackwardPassTheJvmExitsWithoutCrashingInLibtorch() throws Exception {
    // Before NativeSteps, SIGTERM (a user's Ctrl-C, a scheduler's stop) during a backward pass crashed the JVM
    // (SIGSEGV in libtorch, a crash report in the working directory): the exit unloaded libtorch under the step.
    // Images of 320 px make each backward pass long enough to be caught in it, as on real data.
    Path scenes = tmp.resolve("scenes-320");
    assertEquals(0, Cli.runCli(new String[] {"make-dataset", "--kind", "coco", "--photos", Cli.SAMPLES.toString(),
        "--output", scenes.toString(), "--count", "8", "--size", "320", "--seed", "5"}).code());
    Path dir = Files.createDirectories(tmp.resolve("stopped"));
    List<String> cmd = new ArrayList<>(ChildProcess.java("1g", System.getProperty("java.class.path"),
        "-Dai.djl.offline=true", "dev.unseg.jobs.cli.UnsegCli", "train-generator", "--format", "coco",
        "--images", scenes.resolve("images").toString(), "--annotations", scenes.resolve("annotations.json").toString(),
        "--output", dir.resolve("never.zip").toString(), "--sample", "8", "--epochs", "1000"));
    Path log = dir.resolve("log.txt");
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
      while (!mainThreadIn(p, "torchBackward") && p.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertTrue(p.isAlive(), "training ended before it was stopped: " + Files.readString(log));
      p.destroy(); // SIGTERM
      assertTrue(p.waitFor(1, TimeUnit.MINUTES), "not stopped within a minute");
      String out = Files.readString(log);
      assertEquals(143, p.exitValue(), out);
      assertFalse(out.contains("fatal error"), out);
      try (var files = Files.list(dir)) {
        assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith("hs_err")), "a JVM crash report: " + out);
      }
    } finally {
      p.destroyForcibly();
    }
  }

  /** Whether the process's main thread is in {@code method} now, by the JDK's own thread dump (jcmd). */
  private static boolean mainThreadIn(Process p, String method) throws Exception {
    Process dump = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        Long.toString(p.pid()), "Thread.print").redirectErrorStream(true).start();
    String text = new String(dump.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    dump.waitFor(30, TimeUnit.SECONDS);
    int main = text.indexOf("\"main\"");
    return main >= 0 && text.substring(main, Math.min(text.length(), main + 600)).contains(method);
  }

  @Test
  void theVerdictTrainsTheProbeOnImagesTheModelProtectsAndTestsOnImagesTheGeneratorNeverSaw() throws Exception {
    assertEquals(0, training.code(), training.err());
    assertTrue(training.out().contains("tested on 4 clean images the generator never saw"), training.out());
    assertTrue(training.out().contains("unet     protected+jpeg:75"), training.out());
    JsonNode report = new ObjectMapper().readTree(model.resolveSibling("tiny.zip.evaluation").resolve("report.json").toFile());
    String digest = Sha256.hex(Files.readAllBytes(model));
    assertTrue(report.path("settings").path("protected").asText().contains(digest), report.path("settings").toString());
    List<String> sides = new ArrayList<>();
    report.path("sides").forEach(side -> sides.add(side.path("model").asText() + "/" + side.path("name").asText()));
    assertEquals(List.of("unet/clean", "unet/protected", "unet/protected+jpeg:75"), sides);
    // The generator's sample, picked as train-generator picks it: the test images are none of it.
    List<String> trainedOn = LabeledDataset.open(new DatasetSource(DatasetFormat.COCO, data.resolve("images").toString(),
        data.resolve("annotations.json").toString(), "", "", ""), new Configuration(), 1, 16).images();
    List<String> tested = new ArrayList<>();
    report.path("test_images").forEach(t -> tested.add(t.asText()));
    assertEquals(4, tested.size());
    assertTrue(tested.stream().noneMatch(trainedOn::contains), tested + " overlaps " + trainedOn);
    List<String> probeTrained = new ArrayList<>();
    report.path("train_images").forEach(t -> probeTrained.add(t.asText()));
    assertEquals(20, probeTrained.size());
    assertTrue(probeTrained.containsAll(trainedOn) && probeTrained.stream().noneMatch(tested::contains), probeTrained.toString());
    // The probe's protected images carry the model's noise, mostly on the objects (eps 8 there, 2 outside).
    JsonNode prot = report.path("sides").get(1);
    double inside = prot.path("noise_mean_abs_inside").asDouble();
    assertTrue(inside > 0.5 && inside > prot.path("noise_mean_abs_outside").asDouble(), prot.toString());
  }

  @Test
  void aDatasetWithNothingLeftToTestOnIsRefusedBeforeTraining() throws Exception {
    Path never = tmp.resolve("models/too-few.zip");
    Cli.Run run = Cli.runCli(new String[] {"train-generator", "--format", "coco", "--images", data.resolve("images").toString(),
        "--annotations", data.resolve("annotations.json").toString(), "--output", never.toString(), "--sample", "20",
        "--evaluate"});
    assertEquals(2, run.code(), run.err());
    assertTrue(run.err().contains("Lower --sample to at most"), run.err());
    assertTrue(!Files.exists(never), "nothing written");
  }

  @Test
  void protectRunsTheTrainedModelWithinTheBudget() throws Exception {
    Path out = tmp.resolve("protected");
    Cli.Run run = Cli.protect("--format", "coco", "--images", data.resolve("images").toString(), "--annotations",
        data.resolve("annotations.json").toString(), "--output", out.toString(), "--generator", "trained", "--model",
        model.toString());
    assertEquals(0, run.code(), run.err());
    List<JsonNode> rows = Cli.inspectRows(out);
    assertEquals(24, rows.size());
    String digest = Sha256.hex(Files.readAllBytes(model));
    int noised = 0;
    for (JsonNode r : rows) {
      assertEquals("protected", r.get("status").asText(), r.toString());
      assertEquals(TrainedGenerator.ID, r.get("generator_id").asText());
      assertEquals(digest, r.get("model_digest").asText());
      assertTrue(r.get("linf_inside").asInt() <= 8 && r.get("linf_outside").asInt() <= 2, r.toString());
      noised += r.get("linf_inside").asInt() > 0 ? 1 : 0;
    }
    assertTrue(noised > 0, "the trained generator's noise moves pixels");
  }

  @Test
  void aFileThatIsNotATrainedGeneratorIsRefusedBeforeAnythingIsWritten() throws Exception {
    Path out = tmp.resolve("refused");
    Path notAModel = Files.list(data.resolve("images")).findFirst().orElseThrow();
    Cli.Run run = Cli.protect("--format", "coco", "--images", data.resolve("images").toString(), "--annotations",
        data.resolve("annotations.json").toString(), "--output", out.toString(), "--generator", "trained", "--model",
        notAModel.toString());
    assertEquals(2, run.code(), run.err());
    assertTrue(run.err().contains("is not a trained generator") && run.err().contains("unseg train-generator"), run.err());
    assertTrue(!Files.exists(out), "nothing written");
    Cli.Run again = Cli.runCli(new String[] {"train-generator", "--format", "coco", "--images", data.resolve("images").toString(),
        "--annotations", data.resolve("annotations.json").toString(), "--output", model.toString()});
    assertEquals(2, again.code(), again.err());
    assertTrue(again.err().contains("exists"), again.err());
    Cli.Run folder = Cli.runCli(new String[] {"train-generator", "--format", "coco", "--images", data.resolve("images").toString(),
        "--annotations", data.resolve("annotations.json").toString(), "--output", model.getParent().toString()});
    assertEquals(2, folder.code(), folder.err());
    assertTrue(folder.err().contains("is a folder: --output names the model file to write, e.g. "), folder.err());
    // Under a file: refused before the training, not an internal error after it.
    Path underAFile = notAModel.resolveSibling(notAModel.getFileName() + "/m.pt");
    Cli.Run under = Cli.runCli(new String[] {"train-generator", "--format", "coco", "--images", data.resolve("images").toString(),
        "--annotations", data.resolve("annotations.json").toString(), "--output", underAFile.toString(), "--epochs", "1"});
    assertEquals(2, under.code(), under.err());
    assertTrue(under.err().contains(notAModel + " is a file, so the model cannot be written under it")
        && !under.out().contains("epoch 1/1"), under.err() + under.out());
    Cli.Run contradictory = Cli.runCli(new String[] {"train-generator", "--format", "coco", "--images",
        data.resolve("images").toString(), "--annotations", data.resolve("annotations.json").toString(), "--output",
        tmp.resolve("models/never.zip").toString(), "--labels", "classes", "--label-modification"});
    assertEquals(2, contradictory.code(), contradictory.err());
    assertTrue(contradictory.err().contains("--labels binary"), contradictory.err());
    assertTrue(!Files.exists(tmp.resolve("models/never.zip")), "nothing written");
    Cli.Run noIndex = Cli.runCli(new String[] {"train-generator", "--format", "coco", "--images",
        data.resolve("images").toString(), "--annotations", data.resolve("absent.json").toString(), "--output",
        tmp.resolve("models/never.zip").toString()});
    assertEquals(2, noIndex.code(), noIndex.err());
    assertTrue(noIndex.err().contains("absent.json does not exist: give --annotations"), noIndex.err());
    assertTrue(!Files.exists(tmp.resolve("models/never.zip")), "nothing written");
  }
}
