package dev.unseg.jobs.evaluate;

import dev.unseg.pipeline.error.ErrorCode;
import dev.unseg.pipeline.error.InputException;
import dev.unseg.pipeline.error.UserError;
import dev.unseg.pipeline.image.DecodedImage;
import dev.unseg.pipeline.image.ImageCodec;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;

/**
 * Trains each probe network on the clean training images and on every other version of them
 * (protected after each defence, with an optional share taken clean; the controls), from the same
 * seeds and with the same labels, and tests all of them on held-out clean images that no training
 * sees. The clean trainings are shared by every defence and control.
 */
public final class Evaluation {
  private static final long MAX_PIXELS = 100_000_000L;
  private static final long MAX_FILE_BYTES = 512L << 20;
  /** Training images shown in the report at their own size: clean, protected, noise. */
  private static final int EXAMPLES = 4;
  /** Per-class colour shift of the shortcut control: class c gets SIGNS[(c - 1) % 7] x eps. */
  private static final int[][] SIGNS = {{1, -1, 1}, {-1, 1, 1}, {1, 1, -1}, {-1, -1, 1}, {1, -1, -1}, {-1, 1, -1}, {1, 1, 1}};
  /**
   * The background's colour shift in the shortcut control (label 0 is a class of the map too): the
   * opposite of the first class's, as the built-in generator's shift design does inside and outside.
   */
  private static final int[] BACKGROUND_SIGN = {-1, 1, -1};
  /** How a control's side is named: control:identical, control:random, control:shortcut. */
  static final String CONTROL = "control:";
  private final EvaluateSettings s;
  private final ImageCodec codec;
  private final ProtectedCopies copies;
  private final int testFrom;
  private final PrintStream progress;
  private final Configuration hadoop;

  /**
   * An evaluation of the protect run in {@code settings.run()}, or of the controls alone.
   *
   * @param hadoop the Hadoop settings storage other than file:// is reached with
   * @param progress where a line per training epoch goes (the console), or null for none
   */
  public Evaluation(EvaluateSettings settings, Configuration hadoop, PrintStream progress) throws IOException {
    this(settings, settings.run() == null ? null
        : ProtectedCopies.released(settings.run(), hadoop, codec(settings), MAX_FILE_BYTES), 0, hadoop, progress);
  }

  /**
   * An evaluation of other protected copies (a generator applied in memory).
   *
   * @param testFrom where the test images start in the seed's pick of the dataset: train-generator puts
   *     them after the images its generator trained on, so the probe is tested on images neither saw
   */
  public Evaluation(EvaluateSettings settings, ProtectedCopies copies, int testFrom, Configuration hadoop, PrintStream progress) {
    this.s = settings;
    this.hadoop = hadoop;
    this.progress = progress;
    this.copies = copies;
    this.testFrom = testFrom;
    this.codec = codec(settings);
  }

  /** The images' views as protect made them: 16-bit samples viewed through the dataset's sample bits. */
  private static ImageCodec codec(EvaluateSettings settings) {
    return settings.clean().codec(MAX_PIXELS);
  }

  /** Images of the seed's pick an evaluation opens: the test window, and the training images around it. */
  public static int picked(EvaluateSettings s, int testFrom) {
    return Math.max(s.test() + s.sample(), testFrom + s.test());
  }

  public EvaluationResult run() throws IOException, InputException {
    int wanted = picked(s, testFrom);
    // Twice the images needed are picked (names only): the second half stands in for those left out below.
    LabeledDataset data = LabeledDataset.open(s.clean(), hadoop, s.recipe().seed(), 2 * wanted);
    List<String> all = data.images().subList(0, Math.min(wanted, data.images().size()));
    Deque<String> standIns = new ArrayDeque<>(data.images().subList(all.size(), data.images().size()));
    if (all.size() < testFrom + s.test() + 2) {
      throw new UserError(s.clean().images() + " has " + all.size() + " " + s.clean().format().cliName()
          + " images; evaluate needs --test " + s.test() + (testFrom == 0 ? "" : " after the " + testFrom + " the generator trained on")
          + " and at least 2 to train on: lower unseg.evaluate.test (--test), or evaluate a larger dataset");
    }
    List<String> testNames = all.subList(testFrom, testFrom + s.test());
    List<String> trainNames = new ArrayList<>(all.subList(0, testFrom));
    trainNames.addAll(all.subList(testFrom + s.test(), all.size()));
    trainNames = trainNames.subList(0, Math.min(s.sample(), trainNames.size()));
    int base = s.recipe().baseSize();

    // An image that cannot be read, labelled or matched to its protected copy is left out and listed
    // with its reason (in report.json and on the console), and the next of the seed's pick stands in.
    Map<String, String> skipped = new LinkedHashMap<>();
    List<Sample> testSet = new ArrayList<>();
    Deque<String> testQueue = new ArrayDeque<>(testNames);
    while (testSet.size() < testNames.size() && !(testQueue.isEmpty() && standIns.isEmpty())) {
      String name = testQueue.isEmpty() ? standIns.poll() : testQueue.poll();
      try {
        DecodedImage img = decode(data.read(name, MAX_FILE_BYTES), name);
        testSet.add(new Sample(name, rgb(img).resized(base), label(data, name, img)));
      } catch (InputException | IOException e) {
        skipped.put(name, e.getMessage());
      }
    }
    List<TrainingPair> pairs = new ArrayList<>();
    List<TrainingPair> examples = new ArrayList<>();
    List<Rgb> protNative = new ArrayList<>();
    Deque<String> trainQueue = new ArrayDeque<>(trainNames);
    while (pairs.size() < trainNames.size() && !(trainQueue.isEmpty() && standIns.isEmpty())) {
      String name = trainQueue.isEmpty() ? standIns.poll() : trainQueue.poll();
      Rgb clean;
      byte[] label;
      Rgb prot = null;
      try {
        DecodedImage decoded = decode(data.read(name, MAX_FILE_BYTES), name);
        clean = rgb(decoded);
        label = label(data, name, decoded);
        if (copies != null) {
          prot = new Rgb(clean.width(), clean.height(), copies.copy(name, decoded, data));
        }
      } catch (InputException | IOException e) {
        skipped.put(name, e.getMessage());
        continue;
      }
      if (prot != null) {
        protNative.add(prot);
      }
      if (examples.size() < EXAMPLES) {
        examples.add(new TrainingPair(name, clean, prot == null ? clean : prot, null));
      }
      pairs.add(new TrainingPair(name, clean.resized(base), prot == null ? clean.resized(base) : prot.resized(base), label));
    }
    // What the probe learns, from the classes' pixels in the training images (top:K keeps the most frequent).
    long[] pixels = new long[256];
    for (TrainingPair p : pairs) {
      for (byte v : p.label()) {
        pixels[v & 255]++;
      }
    }
    LabelMode.Classes classes = s.labels().classes(data.classNames(), pixels, data.selectedClasses());
    pairs.replaceAll(p -> new TrainingPair(p.path(), p.clean(), p.protectedImage(), classes.apply(p.label())));
    testSet.replaceAll(t -> new Sample(t.path(), t.image(), classes.apply(t.label())));
    int classCount = classes.names().size();
    if (testSet.isEmpty() || pairs.size() < 2) {
      throw new UserError("evaluate could read " + testSet.size() + " test and " + pairs.size() + " training images of "
          + s.clean().images() + "; it needs 1 and 2. The first problems: " + skipped.entrySet().stream().limit(3).toList());
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
      sides.add(side(model, "clean", classCount, cleanTrain, cleanTrain, testSet, s.repeats()));
      if (copies != null) {
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
          sides.add(side(model, name, classCount, train, cleanTrain, testSet, s.repeats()));
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
          sides.add(side(model, CONTROL + control, classCount, train, cleanTrain, testSet,
              control.equals("identical") ? 1 : s.repeats()));
        }
      }
    }
    return new EvaluationResult(s, copies == null ? null : copies.source(), classes.names(), pairs.stream().map(TrainingPair::path).toList(),
        testSet.stream().map(Sample::path).toList(), skipped, sides, examples);
  }

  /**
   * The controls, on the base-size training image: the same pixels; +-eps per pixel and channel at
   * random (no label information); a fixed per-class colour shift of eps on every labelled pixel, the
   * background its own (the label written into the image: the class-wise noise of the unlearnable-examples
   * literature). On the generated scenes, shifting the objects alone took a quarter of the clean score,
   * with the background too 44% (docs/evaluate.md).
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
          if (l != LabeledDataset.IGNORE) {
            int[] sign = l == 0 ? BACKGROUND_SIGN : SIGNS[(l - 1) % SIGNS.length];
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

  private DecodedImage decode(byte[] bytes, String name) throws InputException {
    return codec.decode(bytes, name);
  }

  private static Rgb rgb(DecodedImage d) {
    return new Rgb(d.width(), d.height(), d.rgb());
  }

  /** The class map at the image's size, then nearest-resized to base size. */
  private byte[] label(LabeledDataset data, String name, DecodedImage image) throws InputException {
    int w = image.width();
    int h = image.height();
    byte[] full = data.label(name, w, h);
    if (allIgnored(full)) {
      // Nothing to learn from or score on (Cityscapes' test split ships such label maps): left out, with this reason.
      throw new InputException(ErrorCode.ANNOTATION_INVALID, "every pixel of its label map is unlabelled or"
          + " ignored in evaluation (as in Cityscapes' test split), so it can neither train nor test a probe");
    }
    int n = s.recipe().baseSize();
    byte[] out = new byte[n * n];
    for (int y = 0; y < n; y++) {
      for (int x = 0; x < n; x++) {
        out[y * n + x] = full[(int) ((y + 0.5) * h / n) * w + (int) ((x + 0.5) * w / n)];
      }
    }
    return out;
  }

  private static boolean allIgnored(byte[] classMap) {
    for (byte v : classMap) {
      if ((v & 255) != LabeledDataset.IGNORE) {
        return false;
      }
    }
    return true;
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
