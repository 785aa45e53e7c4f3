package dev.unseg.jobs.evaluate;

import dev.unseg.pipeline.audit.InputException;
import dev.unseg.pipeline.image.DecodedImage;
import dev.unseg.pipeline.image.ImageCodec;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * Trains each probe network on the clean training images and on every other version of them
 * (protected after each defence, with an optional share taken clean; the controls), from the same
 * seeds and with the same labels, and tests all of them on held-out clean images that no training
 * sees. The clean trainings are shared by every defence and control.
 */
public final class Evaluation {
  private static final long MAX_PIXELS = 100_000_000L;
  /** Per-class colour shift of the shortcut control: class c gets SIGNS[(c - 1) % 7] x eps. */
  private static final int[][] SIGNS = {{1, -1, 1}, {-1, 1, 1}, {1, 1, -1}, {-1, -1, 1}, {1, -1, -1}, {-1, 1, -1}, {1, 1, 1}};
  private final EvaluateSettings s;
  private final ImageCodec codec = new ImageCodec(MAX_PIXELS);
  private final PrintStream progress;

  /** @param progress where a line per training epoch goes (the console), or null for none */
  public Evaluation(EvaluateSettings settings, PrintStream progress) {
    this.s = settings;
    this.progress = progress;
  }

  public EvaluationResult run() throws IOException, InputException {
    LabeledDataset data = LabeledDataset.open(s.format(), s.cleanImages(), s.annotations(), s.labels());
    List<String> all = new ArrayList<>(data.images());
    // The split depends only on the seed and the file names: the same images for every run.
    Collections.shuffle(all, new Random(s.recipe().seed()));
    if (all.size() < s.test() + 2) {
      throw new IllegalArgumentException("the dataset has " + all.size() + " images; need at least --test " + s.test() + " + 2");
    }
    List<String> testNames = new ArrayList<>(all.subList(0, s.test()));
    List<String> trainNames = new ArrayList<>(all.subList(s.test(), Math.min(all.size(), s.test() + s.sample())));
    int base = s.recipe().baseSize();
    int classes = data.classNames().size();

    List<Sample> testSet = new ArrayList<>();
    for (String name : testNames) {
      Rgb img = read(s.cleanImages().resolve(name), name);
      testSet.add(new Sample(name, img.resized(base), label(data, name, img)));
    }
    List<Rgb> cleanNative = new ArrayList<>();
    List<Rgb> protNative = new ArrayList<>();
    List<TrainingPair> pairs = new ArrayList<>();
    for (String name : trainNames) {
      Rgb clean = read(s.cleanImages().resolve(name), name);
      byte[] label = label(data, name, clean);
      Rgb prot = null;
      if (s.protectedRoot() != null) {
        Path protectedPath = s.protectedImage(name);
        if (!Files.isRegularFile(protectedPath)) {
          throw new IllegalArgumentException("no protected copy of " + name + " at " + protectedPath);
        }
        prot = read(protectedPath, name);
        if (prot.width() != clean.width() || prot.height() != clean.height()) {
          throw new IllegalArgumentException("protected " + protectedPath + " is not the size of its clean image");
        }
        protNative.add(prot);
      }
      cleanNative.add(clean);
      pairs.add(new TrainingPair(name, clean.resized(base), prot == null ? clean.resized(base) : prot.resized(base), label));
    }
    // Which training images a mixed run takes clean (--clean-fraction), fixed by the seed.
    Set<Integer> keptClean = new HashSet<>();
    List<Integer> idx = new ArrayList<>();
    for (int i = 0; i < pairs.size(); i++) {
      idx.add(i);
    }
    Collections.shuffle(idx, new Random(s.recipe().seed() + 7919));
    keptClean.addAll(idx.subList(0, (int) Math.round(s.cleanFraction() * pairs.size())));

    List<Sample> cleanTrain = new ArrayList<>();
    for (TrainingPair p : pairs) {
      cleanTrain.add(new Sample(p.path(), p.clean(), p.label()));
    }
    List<Side> sides = new ArrayList<>();
    for (String model : s.models()) {
      sides.add(side(model, "clean", classes, cleanTrain, cleanTrain, testSet, s.repeats()));
      if (s.protectedRoot() != null) {
        for (Defense d : s.defenses()) {
          List<Sample> train = new ArrayList<>();
          for (int i = 0; i < pairs.size(); i++) {
            TrainingPair p = pairs.get(i);
            // The defence runs at the image's own size, as a thief would run it on the released files.
            Rgb img = keptClean.contains(i) ? p.clean() : d.kind().equals("none") ? p.protectedImage()
                : d.apply(protNative.get(i)).resized(base);
            train.add(new Sample(p.path(), img, p.label()));
          }
          String name = "protected" + (d.kind().equals("none") ? "" : "+" + d);
          sides.add(side(model, name, classes, train, cleanTrain, testSet, s.repeats()));
        }
      }
      if (s.controls()) {
        for (String control : List.of("identical", "random", "shortcut")) {
          List<Sample> train = new ArrayList<>();
          Random rnd = new Random(s.recipe().seed() + 104729);
          for (Sample c : cleanTrain) {
            train.add(new Sample(c.path(), control(control, c, rnd), c.label()));
          }
          // The identical copy trains once: it is the clean training again, to the bit.
          sides.add(side(model, "control:" + control, classes, train, cleanTrain, testSet,
              control.equals("identical") ? 1 : s.repeats()));
        }
      }
    }
    return new EvaluationResult(s, data.classNames(), trainNames, testNames, sides,
        pairs.subList(0, Math.min(4, pairs.size())));
  }

  /**
   * The controls, on the base-size training image: the same pixels; +-eps per pixel and channel at
   * random (no label information); a fixed per-class colour shift of eps on the object pixels (the
   * label written into the image: a shortcut any network learns).
   */
  private Rgb control(String kind, Sample c, Random rnd) {
    byte[] src = c.image().hwc();
    int eps = (int) Math.round(s.controlEps());
    return switch (kind) {
      case "identical" -> c.image();
      case "random" -> {
        byte[] out = new byte[src.length];
        for (int i = 0; i < src.length; i++) {
          out[i] = (byte) Math.max(0, Math.min(255, (src[i] & 255) + (rnd.nextBoolean() ? eps : -eps)));
        }
        yield new Rgb(c.image().width(), c.image().height(), out);
      }
      default -> {
        byte[] out = src.clone();
        for (int p = 0; p < c.label().length; p++) {
          int l = c.label()[p] & 255;
          if (l != 0 && l != LabeledDataset.IGNORE) {
            int[] sign = SIGNS[(l - 1) % SIGNS.length];
            for (int ch = 0; ch < 3; ch++) {
              out[p * 3 + ch] = (byte) Math.max(0, Math.min(255, (src[p * 3 + ch] & 255) + sign[ch] * eps));
            }
          }
        }
        yield new Rgb(c.image().width(), c.image().height(), out);
      }
    };
  }

  /** One training per repeat, from seeds seed, seed + 1, ...: the same seeds for every side. */
  private Side side(String model, String name, int classes, List<Sample> train, List<Sample> clean, List<Sample> testSet,
      int repeats) {
    List<Curve> out = new ArrayList<>();
    for (int k = 0; k < repeats; k++) {
      String training = String.format(Locale.ROOT, "[unseg evaluate] %s %s training %d/%d", model, name, k + 1, repeats);
      ProbeTrainer.EpochListener each = progress == null ? null : (epoch, loss, test, seconds) -> progress.printf(Locale.ROOT,
          "%s, epoch %d/%d: loss %.4f, clean-test object mIoU %.3f, object IoU %.3f (%.0f s)%n", training, epoch,
          s.recipe().epochs(), loss, test.objectMiou(), test.objectIou(), seconds);
      out.add(new ProbeTrainer(model, classes, s.recipe().withSeed(s.recipe().seed() + k)).train(train, testSet, each));
    }
    double[] noise = noise(clean, train);
    return new Side(model, name, out, noise[0], noise[1]);
  }

  private Rgb read(Path file, String name) throws IOException, InputException {
    DecodedImage d = codec.decode(Files.readAllBytes(file), name);
    return new Rgb(d.width(), d.height(), d.rgb());
  }

  /** The class map at the image's size, then nearest-resized to base size. */
  private byte[] label(LabeledDataset data, String name, Rgb image) throws InputException {
    byte[] full = data.label(name, image.width(), image.height());
    int n = s.recipe().baseSize();
    byte[] out = new byte[n * n];
    for (int y = 0; y < n; y++) {
      for (int x = 0; x < n; x++) {
        out[y * n + x] = full[(int) ((y + 0.5) * image.height() / n) * image.width() + (int) ((x + 0.5) * image.width() / n)];
      }
    }
    return out;
  }

  /** Mean absolute per-channel difference, grey levels, on object and on background pixels. */
  private static double[] noise(List<Sample> clean, List<Sample> other) {
    double in = 0;
    double out = 0;
    long nIn = 0;
    long nOut = 0;
    for (int k = 0; k < clean.size(); k++) {
      byte[] a = clean.get(k).image().hwc();
      byte[] b = other.get(k).image().hwc();
      byte[] label = clean.get(k).label();
      for (int i = 0; i < a.length; i++) {
        double d = Math.abs((a[i] & 255) - (b[i] & 255));
        int l = label[i / 3] & 255;
        if (l != 0 && l != LabeledDataset.IGNORE) {
          in += d;
          nIn++;
        } else if (l == 0) {
          out += d;
          nOut++;
        }
      }
    }
    return new double[] {nIn == 0 ? 0 : in / nIn, nOut == 0 ? 0 : out / nOut};
  }
}
