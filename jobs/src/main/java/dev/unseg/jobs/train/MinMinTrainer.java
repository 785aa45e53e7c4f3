package dev.unseg.jobs.train;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.unseg.jobs.evaluate.LabeledDataset;
import dev.unseg.jobs.io.Locations;
import dev.unseg.jobs.io.Storage;
import dev.unseg.jobs.report.Charts;
import dev.unseg.pipeline.audit.Sha256;
import dev.unseg.pipeline.composite.Composite;
import dev.unseg.pipeline.nn.NativeSteps;
import dev.unseg.pipeline.error.InputException;
import dev.unseg.pipeline.error.UserError;
import dev.unseg.pipeline.generator.djl.TrainedGenerator;
import dev.unseg.pipeline.image.DecodedImage;
import dev.unseg.pipeline.image.ImageCodec;
import dev.unseg.pipeline.nn.UNet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * UnSeg's bilevel min-min on the data owner's images (docs/train-generator.md): each epoch trains a
 * surrogate segmenter from scratch-initialised weights on the images plus the generator's noise, then
 * the generator to minimise that surrogate's loss on them, so that the noise becomes the easiest thing
 * to learn. The surrogate sees each batch at a random scale (1, 1/2 or 1/4 of the noise resolution),
 * cropped and flipped, so the noise must work at the scales a segmentation recipe trains at.
 */
public final class MinMinTrainer {
  private static final long MAX_PIXELS = 100_000_000L;
  private static final long MAX_FILE_BYTES = 512L << 20;
  private static final int S = TrainedGenerator.SIDE;
  private static final int[] SCALES = {1, 2, 4};
  /** Images the end-of-epoch losses are measured on (the first of the sample). */
  private static final int MEASURED = 64;
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One epoch: mean losses of the surrogate's steps and of the generator's, then the surrogate's loss
   * (true masks, at full scale) on the measured images with the generator's noise at the training budget,
   * and on the same images clean. The noise works when the first is far below the second.
   */
  public record Epoch(int epoch, double surrogateLoss, double generatorLoss, double noisedLoss, double cleanLoss,
      double meanNoise, double seconds) {}

  /** What a training did: its epochs, the images it read and those it left out (with why), the model and its loss chart. */
  public record Result(List<Epoch> epochs, int images, Map<String, String> skipped, String output, String sha256,
      String chart) {}

  /**
   * One sampled image: the generator's input ({@link TrainedGenerator#input}; the prompt is its fourth
   * channel) and, when the surrogate learns classes, the class map over the same padded square at the
   * noise resolution (nearest; padding is background).
   */
  private record Item(float[] input, byte[] classes) {}

  /** The sample and the surrogate's classes (1: the union mask, binary). */
  private record Sample(List<Item> items, int classes) {}

  private MinMinTrainer() {}

  public static Result run(GeneratorTraining s, Configuration hadoop, PrintStream progress) throws IOException {
    URI output = Locations.qualify(s.output());
    Storage storage = Storage.of(output, hadoop);
    Storage.Status there = storage.status(new Path(output));
    if (there != null && there.directory()) {
      throw new UserError("--output " + s.output() + " is a folder: --output names the model file to write, e.g. "
          + new Path(new Path(output), "generator.pt") + ".");
    }
    if (there != null) {
      throw new UserError("--output " + s.output() + " exists: train-generator does not replace a model. Choose another"
          + " --output, or delete that file first.");
    }
    // A file where a folder above the model must be would fail only at the end, after the training
    Path file = storage.blockingFile(new Path(output).getParent());
    if (file != null) {
      throw new UserError(file + " is a file, so the model cannot be written under it: set unseg.train-generator.output"
          + " (--output) to a file in a folder.");
    }
    Map<String, String> skipped = new LinkedHashMap<>();
    Sample sample = read(s, hadoop, skipped);
    List<Item> inputs = sample.items();
    if (inputs.size() < 2) {
      throw new UserError(s.data().images() + ": " + inputs.size() + " readable image(s) with annotations; train-generator"
          + " needs at least 2" + (skipped.isEmpty() ? "" : "; " + skipped.size() + " left out, the first: "
          + skipped.entrySet().iterator().next()));
    }
    long start = System.nanoTime();
    Device device = Engine.getInstance().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
    Engine.getInstance().setRandomSeed((int) s.seed());
    Block generator = TrainedGenerator.network(s.baseChannels());
    Block surrogate = UNet.build(s.surrogateChannels(), sample.classes());
    List<Epoch> epochs = new ArrayList<>();
    try (Model gm = Model.newInstance("unseg-generator", device, "PyTorch");
        Model sm = Model.newInstance("unseg-surrogate", device, "PyTorch")) {
      gm.setBlock(generator);
      sm.setBlock(surrogate);
      try (Trainer gt = gm.newTrainer(config(s, device)); Trainer st = sm.newTrainer(config(s, device))) {
        int b = Math.min(s.batchSize(), inputs.size());
        gt.initialize(new Shape(b, 4, S, S));
        st.initialize(new Shape(b, 3, S / 2, S / 2));
        Random random = new Random(s.seed());
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
          order.add(i);
        }
        for (int epoch = 1; epoch <= s.epochs(); epoch++) {
          Collections.shuffle(order, random);
          zeroGradients(surrogate); // the generator's steps left gradients there
          double surrogateLoss = 0;
          double generatorLoss = 0;
          int batches = 0;
          for (List<Integer> batch : batches(order, b)) {
            View v = View.random(random);
            surrogateLoss += NativeSteps.run(() -> {
              try (NDManager nd = st.getManager().newSubManager()) {
                NDArray x = batch(nd, inputs, batch);
                NDArray noise = gt.evaluate(new NDList(x)).singletonOrThrow();
                NDArray in = v.apply(noised(x, noise, s));
                float value;
                try (GradientCollector gc = st.newGradientCollector()) {
                  NDArray loss = loss(st.forward(new NDList(in)).singletonOrThrow(), v.apply(target(nd, x, inputs, batch, sample.classes())));
                  value = loss.getFloat();
                  gc.backward(loss);
                }
                st.step();
                return value;
              }
            });
            batches++;
          }
          for (List<Integer> batch : batches(order, b)) {
            View v = View.random(random);
            generatorLoss += NativeSteps.run(() -> {
              try (NDManager nd = gt.getManager().newSubManager()) {
                NDArray x = batch(nd, inputs, batch);
                float value;
                try (GradientCollector gc = gt.newGradientCollector()) {
                  NDArray noise = gt.forward(new NDList(x)).singletonOrThrow();
                  NDArray in = v.apply(noised(x, noise, s));
                  NDArray target = v.apply(target(nd, x, inputs, batch, sample.classes()));
                  if (s.labelModification()) {
                    target = target.onesLike();
                  }
                  NDArray loss = loss(st.forward(new NDList(in)).singletonOrThrow(), target);
                  value = loss.getFloat();
                  gc.backward(loss);
                }
                gt.step();
                return value;
              }
            });
          }
          double[] measured = NativeSteps.run(() -> measure(gt, st, sample, b, s));
          Epoch e = new Epoch(epoch, surrogateLoss / batches, generatorLoss / batches, measured[0], measured[1],
              measured[2], (System.nanoTime() - start) / 1e9);
          epochs.add(e);
          if (!Double.isFinite(e.surrogateLoss()) || !Double.isFinite(e.generatorLoss())) {
            // Seen on an AMD EPYC: libtorch's oneDNN AVX-512 kernels returned NaN gradients for the surrogate.
            throw new UserError("train-generator: the losses became NaN in epoch " + epoch + ", so no model was written."
                + " On some CPUs libtorch's oneDNN AVX-512 kernels return NaN gradients: run with the environment"
                + " variable DNNL_MAX_CPU_ISA=AVX2 (bin/unseg sets it unless it is set), or lower"
                + " unseg.train-generator.learning-rate.");
          }
          progress.printf(Locale.ROOT, "epoch %d/%d: surrogate %.4f, generator %.4f; surrogate on noised %.4f, on clean %.4f;"
              + " mean |noise| %.3f (%.0f s)%n", epoch, s.epochs(), e.surrogateLoss(), e.generatorLoss(), e.noisedLoss(),
              e.cleanLoss(), e.meanNoise(), e.seconds());
        }
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      TrainedGenerator.write(bytes, generator, s.baseChannels(), record(s, epochs, inputs.size(), skipped));
      byte[] model = bytes.toByteArray();
      storage.publish(new Path(output), model);
      Path chart = new Path(output.toString() + ".losses.png");
      storage.publish(chart, lossChart(epochs));
      return new Result(epochs, inputs.size(), skipped, output.toString(), Sha256.hex(model), chart.toString());
    }
  }

  /** The sampled images as {@link Item}s; unreadable ones go to {@code skipped} with why. */
  private static Sample read(GeneratorTraining s, Configuration hadoop, Map<String, String> skipped) throws IOException {
    LabeledDataset data = LabeledDataset.open(s.data(), hadoop, s.seed(), s.sample());
    boolean classes = s.labels().equals("classes");
    ImageCodec codec = s.data().codec(MAX_PIXELS);
    List<Item> out = new ArrayList<>();
    for (String name : data.images()) {
      try {
        DecodedImage img = codec.decode(data.read(name, MAX_FILE_BYTES), name);
        byte[] label = data.label(name, img.width(), img.height());
        float[] prompt = Composite.maskPrompt(LabeledDataset.unionMask(label, img.width(), img.height()));
        out.add(new Item(TrainedGenerator.input(img.rgb(), img.width(), img.height(), prompt),
            classes ? square(label, img.width(), img.height()) : null));
      } catch (InputException | IOException e) {
        skipped.put(name, e.getMessage());
      }
    }
    return new Sample(out, classes ? data.classNames().size() : 1);
  }

  /** A class map over the zero-padded square, nearest-resized to the noise resolution (padding: background). */
  private static byte[] square(byte[] label, int width, int height) {
    int side = Math.max(width, height);
    byte[] out = new byte[S * S];
    for (int y = 0; y < S; y++) {
      int sy = (int) ((y + 0.5) * side / S);
      for (int x = 0; x < S; x++) {
        int sx = (int) ((x + 0.5) * side / S);
        out[y * S + x] = sy < height && sx < width ? label[sy * width + sx] : 0;
      }
    }
    return out;
  }

  private static DefaultTrainingConfig config(GeneratorTraining s, Device device) {
    // The loss is computed here (BCE + Dice); the config needs one.
    return new DefaultTrainingConfig(Loss.l2Loss())
        .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) s.learningRate())).build())
        .optDevices(new Device[] {device});
  }

  private static List<List<Integer>> batches(List<Integer> order, int b) {
    List<List<Integer>> out = new ArrayList<>();
    for (int from = 0; from + b <= order.size(); from += b) {
      out.add(order.subList(from, from + b)); // whole batches only: batch norm, and one shape a step
    }
    return out;
  }

  private static NDArray batch(NDManager nd, List<Item> inputs, List<Integer> indices) {
    int per = 4 * S * S;
    float[] x = new float[indices.size() * per];
    for (int k = 0; k < indices.size(); k++) {
      System.arraycopy(inputs.get(indices.get(k)).input(), 0, x, k * per, per);
    }
    return nd.create(x, new Shape(indices.size(), 4, S, S));
  }

  /**
   * What the surrogate learns of a batch: the union mask (the prompt), or the class maps one-hot
   * [B, classes, S, S] (ignored pixels all zero).
   */
  private static NDArray target(NDManager nd, NDArray x, List<Item> inputs, List<Integer> indices, int classes) {
    if (inputs.get(indices.get(0)).classes() == null) {
      return prompt(x);
    }
    long[] l = new long[indices.size() * S * S];
    for (int k = 0; k < indices.size(); k++) {
      byte[] classMap = inputs.get(indices.get(k)).classes();
      for (int i = 0; i < S * S; i++) {
        l[k * S * S + i] = classMap[i] & 255;
      }
    }
    NDArray map = nd.create(l, new Shape(indices.size(), S, S));
    NDArray ok = map.neq(LabeledDataset.IGNORE);
    NDArray safe = map.mul(ok.toType(DataType.INT64, false));
    return safe.oneHot(classes).transpose(0, 3, 1, 2).mul(ok.toType(DataType.FLOAT32, false).expandDims(1));
  }

  /** The surrogate's loss: BCE + Dice on one output channel (the union mask), else soft-target cross-entropy. */
  static NDArray loss(NDArray logits, NDArray target) {
    if (logits.getShape().get(1) == 1) {
      return bceDice(logits, target);
    }
    return logits.logSoftmax(1).mul(target).sum().neg().div(target.sum().maximum(1));
  }

  private static NDArray prompt(NDArray x) {
    return x.get(":, 3:4");
  }

  /**
   * The image plus the noise within the training budgets (as protect composites it, at the noise
   * resolution), clipped to [0, 1].
   */
  static NDArray noised(NDArray x, NDArray noise, GeneratorTraining s) {
    NDArray p = prompt(x);
    NDArray budget = p.mul(s.eps() * s.trainingScale()).add(p.neg().add(1).mul(s.epsBackground() * s.trainingScale()));
    return x.get(":, 0:3").add(noise.mul(budget)).clip(0, 1);
  }

  /** Mean binary cross-entropy (from logits, numerically stable) plus mean soft Dice loss per image. */
  static NDArray bceDice(NDArray logits, NDArray target) {
    NDArray bce = logits.maximum(0).sub(logits.mul(target)).add(logits.abs().neg().exp().add(1).log()).mean();
    NDArray p = Activation.sigmoid(logits);
    int[] pixels = {1, 2, 3};
    NDArray dice = p.mul(target).sum(pixels).mul(2).add(1).div(p.sum(pixels).add(target.sum(pixels)).add(1)).neg().add(1).mean();
    return bce.add(dice);
  }

  /**
   * The surrogate's loss on the first images, with the generator's noise at the training budget and clean,
   * and the noise's mean magnitude (tanh's output, 0 to 1).
   */
  private static double[] measure(Trainer gt, Trainer st, Sample sample, int b, GeneratorTraining s) {
    List<Item> inputs = sample.items();
    List<Integer> first = new ArrayList<>();
    for (int i = 0; i < Math.min(MEASURED, inputs.size()); i++) {
      first.add(i);
    }
    double noised = 0;
    double clean = 0;
    double magnitude = 0;
    int n = 0;
    for (List<Integer> batch : batches(first, b)) {
      try (NDManager nd = st.getManager().newSubManager()) {
        NDArray x = batch(nd, inputs, batch);
        NDArray noise = gt.evaluate(new NDList(x)).singletonOrThrow();
        magnitude += noise.abs().mean().getFloat();
        NDArray target = target(nd, x, inputs, batch, sample.classes());
        NDArray in = noised(x, noise, s);
        noised += loss(st.evaluate(new NDList(in)).singletonOrThrow(), target).getFloat();
        clean += loss(st.evaluate(new NDList(x.get(":, 0:3"))).singletonOrThrow(), target).getFloat();
        n++;
      }
    }
    return new double[] {noised / n, clean / n, magnitude / n};
  }

  private static void zeroGradients(Block block) {
    for (Pair<String, Parameter> p : block.getParameters()) {
      NDArray a = p.getValue().getArray();
      if (a.hasGradient()) {
        try (NDArray g = a.getGradient()) {
          g.subi(g);
        }
      }
    }
  }

  private static byte[] lossChart(List<Epoch> epochs) {
    Map<String, List<Double>> series = new LinkedHashMap<>();
    series.put("surrogate steps", epochs.stream().map(Epoch::surrogateLoss).toList());
    series.put("generator steps", epochs.stream().map(Epoch::generatorLoss).toList());
    series.put("surrogate on noised images", epochs.stream().map(Epoch::noisedLoss).toList());
    series.put("surrogate on clean images", epochs.stream().map(Epoch::cleanLoss).toList());
    return Charts.epochLines("train-generator: losses per epoch", "loss (BCE + Dice; cross-entropy with --labels classes)",
        series);
  }

  private static ObjectNode record(GeneratorTraining s, List<Epoch> epochs, int images, Map<String, String> skipped) {
    ObjectNode t = JSON.createObjectNode();
    t.put("dataset_format", s.data().format().cliName()).put("labels", s.labels()).put("images", s.data().images())
        .put("annotations", s.data().annotations()).put("images_trained", images).put("images_left_out", skipped.size())
        .put("epochs", s.epochs()).put("batch_size", s.batchSize()).put("eps", s.eps()).put("eps_bg", s.epsBackground())
        .put("label_modification", s.labelModification()).put("eps_generalisation", s.epsGeneralisation())
        .put("surrogate_channels", s.surrogateChannels()).put("learning_rate", s.learningRate()).put("seed", s.seed());
    ArrayNode rows = t.putArray("per_epoch");
    for (Epoch e : epochs) {
      rows.addObject().put("epoch", e.epoch()).put("surrogate_loss", e.surrogateLoss()).put("generator_loss", e.generatorLoss())
          .put("surrogate_loss_noised", e.noisedLoss()).put("surrogate_loss_clean", e.cleanLoss())
          .put("mean_abs_noise", e.meanNoise()).put("seconds", e.seconds());
    }
    return t;
  }

  /** What the surrogate sees of a batch: scaled down by a factor (average pooling), a random half-side crop, maybe flipped. */
  private record View(int factor, int y, int x, int side, boolean flip) {
    static View random(Random r) {
      int factor = SCALES[r.nextInt(SCALES.length)];
      int scaled = S / factor;
      int side = scaled / 2;
      return new View(factor, r.nextInt(scaled - side + 1), r.nextInt(scaled - side + 1), side, r.nextBoolean());
    }

    NDArray apply(NDArray a) {
      NDArray scaled = factor == 1 ? a
          : Pool.avgPool2d(a, new Shape(factor, factor), new Shape(factor, factor), new Shape(0, 0), false, true);
      NDArray crop = scaled.get(":, :, " + y + ":" + (y + side) + ", " + x + ":" + (x + side));
      return flip ? crop.flip(3) : crop;
    }
  }
}
