package dev.unseg.jobs.evaluate;

import dev.unseg.pipeline.dataset.BinaryMaskFile;
import dev.unseg.pipeline.dataset.LocalAnnotationStore;
import dev.unseg.pipeline.error.InputException;
import dev.unseg.pipeline.error.UserError;
import dev.unseg.pipeline.image.DecodedImage;
import dev.unseg.pipeline.image.ImageCodec;
import dev.unseg.pipeline.mask.BinaryMask;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Trains the probe twice from the same seed, on clean and on protected training images with the
 * same labels, and tests both on held-out clean images that neither training sees.
 */
public final class Evaluation {
  private static final long MAX_PIXELS = 100_000_000L;
  private final EvaluateSettings s;
  private final ImageCodec codec = new ImageCodec(MAX_PIXELS);
  private final LocalAnnotationStore maskStore;

  private final java.io.PrintStream progress;

  /** @param progress where a line per training epoch goes (the console), or null for none */
  public Evaluation(EvaluateSettings settings, java.io.PrintStream progress) {
    this.s = settings;
    this.maskStore = new LocalAnnotationStore(settings.masks());
    this.progress = progress;
  }

  public EvaluationResult run() throws IOException, InputException {
    return run(null);
  }

  /**
   * @param knownClean the clean trainings from an earlier run with the same clean images, settings
   *     and seed (so the same split and seeds), or null to train them here; trust tests that compare
   *     several protected copies against one clean side use it to save time
   */
  public EvaluationResult run(List<Curve> knownClean) throws IOException, InputException {
    List<String> all = listImages();
    // The split depends only on the seed and the file names: the same images for every run.
    Collections.shuffle(all, new Random(s.probe().seed()));
    if (all.size() < s.test() + 1) {
      throw new UserError("the dataset has " + all.size() + " images; need more than --test " + s.test());
    }
    List<String> testNames = new ArrayList<>(all.subList(0, s.test()));
    List<String> trainNames = new ArrayList<>(all.subList(s.test(), Math.min(all.size(), s.test() + s.sample())));

    List<Sample> testSet = new ArrayList<>();
    for (String name : testNames) {
      Rgb img = read(s.cleanImages().resolve(name), name);
      testSet.add(new Sample(name, img.resized(s.size()).chw(), label(name, img), s.size()));
    }
    List<TrainingPair> pairs = new ArrayList<>();
    for (String name : trainNames) {
      Rgb clean = read(s.cleanImages().resolve(name), name);
      Path protectedPath = s.protectedImage(name);
      if (!Files.isRegularFile(protectedPath)) {
        throw new UserError("no protected copy of " + name + " at " + protectedPath);
      }
      Rgb prot = read(protectedPath, name);
      if (prot.width() != clean.width() || prot.height() != clean.height()) {
        throw new UserError("protected " + protectedPath + " is not the size of its clean image");
      }
      byte[] label = label(name, clean);
      pairs.add(new TrainingPair(name, clean.resized(s.size()), s.defense().apply(prot.resized(s.size())), label));
    }
    double[] noise = noise(pairs);
    List<Sample> cleanTrain = new ArrayList<>();
    List<Sample> protTrain = new ArrayList<>();
    for (TrainingPair p : pairs) {
      cleanTrain.add(new Sample(p.path(), p.clean().chw(), p.label(), s.size()));
      protTrain.add(new Sample(p.path(), p.protectedImage().chw(), p.label(), s.size()));
    }
    List<Curve> clean = knownClean != null ? knownClean : trainings("clean", cleanTrain, testSet);
    List<Curve> prot = trainings("protected", protTrain, testSet);
    return new EvaluationResult(s, trainNames, testNames, clean, prot, noise[0], noise[1],
        pairs.subList(0, Math.min(4, pairs.size())));
  }

  /** One training per repeat, from seeds seed, seed + 1, ...: the same seeds for both sides. */
  private List<Curve> trainings(String side, List<Sample> train, List<Sample> testSet) {
    List<Curve> out = new ArrayList<>();
    for (int k = 0; k < s.repeats(); k++) {
      String training = String.format(Locale.ROOT, "[unseg evaluate] %s training %d/%d", side, k + 1, s.repeats());
      ProbeTrainer.EpochListener each = progress == null ? null : (epoch, loss, test, seconds) -> progress.printf(Locale.ROOT,
          "%s, epoch %d/%d: loss %.4f, clean-test object IoU %.3f (%.0f s)%n", training, epoch, s.probe().epochs(),
          loss, test.object(), seconds);
      out.add(new ProbeTrainer(s.probe().withSeed(s.probe().seed() + k)).train(train, testSet, each));
    }
    return out;
  }

  private List<String> listImages() throws IOException {
    Path root = s.cleanImages();
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      files.filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(jpe?g|png|tiff?)"))
          .forEach(p -> out.add(root.relativize(p).toString().replace('\\', '/')));
    }
    out.sort(null);
    return out;
  }

  private Rgb read(Path file, String name) throws IOException, InputException {
    DecodedImage d = codec.decode(Files.readAllBytes(file), name);
    return new Rgb(d.width(), d.height(), d.rgb());
  }

  /** The union mask (mask-pairs rule: {@code {dir}{stem}.png}), at the probe's size (nearest). */
  private byte[] label(String name, Rgb image) throws InputException {
    int dot = name.lastIndexOf('.');
    BinaryMask mask = new BinaryMaskFile(name.substring(0, dot) + ".png").build(image.width(), image.height(), maskStore);
    int n = s.size();
    byte[] out = new byte[n * n];
    for (int y = 0; y < n; y++) {
      for (int x = 0; x < n; x++) {
        int sx = (int) ((x + 0.5) * image.width() / n);
        int sy = (int) ((y + 0.5) * image.height() / n);
        out[y * n + x] = (byte) (mask.get(sx, sy) ? 1 : 0);
      }
    }
    return out;
  }

  /** Mean absolute per-channel difference, grey levels, inside and outside the labels. */
  private static double[] noise(List<TrainingPair> pairs) {
    double in = 0;
    double out = 0;
    long nIn = 0;
    long nOut = 0;
    for (TrainingPair p : pairs) {
      byte[] a = p.clean().hwc();
      byte[] b = p.protectedImage().hwc();
      for (int i = 0; i < a.length; i++) {
        double d = Math.abs((a[i] & 255) - (b[i] & 255));
        if (p.label()[i / 3] != 0) {
          in += d;
          nIn++;
        } else {
          out += d;
          nOut++;
        }
      }
    }
    return new double[] {nIn == 0 ? 0 : in / nIn, nOut == 0 ? 0 : out / nOut};
  }
}
