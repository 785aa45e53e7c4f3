package dev.unseg.jobs.evaluate;

import dev.unseg.pipeline.nn.NativeSteps;
import dev.unseg.pipeline.nn.UNet;
import dev.unseg.pipeline.error.UserError;
import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.PolynomialDecayTracker;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Trains one probe network from a fixed seed with the {@link Recipe} and tests it after every
 * epoch on clean images at base size. Same seed, same data order, same crops, same initial weights:
 * two trainings differ only in the training pixels they are given.
 */
final class ProbeTrainer {
  static final List<String> MODELS = List.of("unet", "deeplab");
  private final String model;
  private final int classes;
  private final Recipe recipe;

  ProbeTrainer(String model, int classes, Recipe recipe) {
    if (!MODELS.contains(model)) {
      throw new UserError("--model " + model + ": expected unet, deeplab or both");
    }
    this.model = model;
    this.classes = classes;
    this.recipe = recipe;
  }

  /** Told after every epoch: its number from 1, mean training loss, clean-test scores, seconds so far. */
  interface EpochListener {
    void epoch(int epoch, double loss, Scores test, double seconds);
  }

  Curve train(List<Sample> trainSet, List<Sample> testSet, EpochListener listener) {
    long start = System.nanoTime();
    Device device = Engine.getInstance().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
    Engine.getInstance().setRandomSeed((int) recipe.seed());
    Block block = model.equals("unet") ? UNet.build(recipe.baseChannels(), classes) : DeepLab.build(recipe.baseChannels(), classes);
    try (Model m = Model.newInstance("unseg-probe-" + model, device, "PyTorch")) {
      m.setBlock(block);
      int perEpoch = (trainSet.size() + recipe.batchSize() - 1) / recipe.batchSize();
      // Poly decay (power 0.9) to zero over the whole training, as mmseg's schedules.
      PolynomialDecayTracker rate = PolynomialDecayTracker.builder().setBaseValue(recipe.learningRate())
          .setEndLearningRate(recipe.learningRate() / 1000).setDecaySteps(recipe.epochs() * perEpoch).optPower(0.9f).build();
      // The loss is computed below (softmax cross-entropy with an ignore label); the config needs one.
      DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.l2Loss())
          .optOptimizer(Optimizer.adamW().optLearningRateTracker(rate).optWeightDecays(recipe.weightDecay()).build())
          .optDevices(new Device[] {device});
      try (Trainer trainer = m.newTrainer(config)) {
        int c = recipe.crop();
        trainer.initialize(new Shape(recipe.batchSize(), 3, c, c));
        List<Double> losses = new ArrayList<>();
        List<Scores> tests = new ArrayList<>();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < trainSet.size(); i++) {
          order.add(i);
        }
        Random random = new Random(recipe.seed());
        for (int epoch = 0; epoch < recipe.epochs(); epoch++) {
          Collections.shuffle(order, random);
          double sum = 0;
          int batches = 0;
          for (int from = 0; from < order.size(); from += recipe.batchSize()) {
            int b = Math.min(order.size(), from + recipe.batchSize()) - from;
            if (b < 2 && batches > 0) {
              continue; // batch norm needs more than one sample; the remainder waits for the next epoch
            }
            float[] x = new float[b * 3 * c * c];
            long[] y = new long[b * c * c];
            for (int k = 0; k < b; k++) {
              Augment.crop(trainSet.get(order.get(from + k)), recipe, random, x, k * 3 * c * c, y, k * c * c);
            }
            String where = "epoch " + (epoch + 1) + ", batch " + (batches + 1);
            sum += NativeSteps.run(() -> {
              try (NDManager nd = trainer.getManager().newSubManager()) {
                NDArray input = nd.create(x, new Shape(b, 3, c, c));
                NDArray labels = nd.create(y, new Shape(b, 1, c, c));
                float value;
                try (GradientCollector gc = trainer.newGradientCollector()) {
                  NDArray loss = crossEntropy(trainer.forward(new NDList(input)).singletonOrThrow(), labels, classes, y);
                  value = loss.getFloat();
                  if (Float.isNaN(value)) {
                    throw new IllegalStateException("NaN training loss at " + where);
                  }
                  gc.backward(loss);
                }
                trainer.step();
                return value;
              }
            });
            batches++;
          }
          losses.add(sum / batches);
          tests.add(NativeSteps.run(() -> test(trainer, testSet)));
          if (listener != null) {
            listener.epoch(epoch + 1, sum / batches, tests.get(tests.size() - 1), (System.nanoTime() - start) / 1e9);
          }
        }
        return new Curve(losses, tests, (System.nanoTime() - start) / 1e9);
      }
    }
  }

  /**
   * Mean softmax cross-entropy over the labelled pixels (label 255 ignored): one-hot of the labels
   * (ignored pixels have none), the count of labelled pixels taken from the Java array (a constant).
   */
  private static NDArray crossEntropy(NDArray logits, NDArray labels, int classes, long[] y) {
    long valid = 0;
    for (long l : y) {
      if (l != LabeledDataset.IGNORE) {
        valid++;
      }
    }
    NDArray ok = labels.neq(LabeledDataset.IGNORE);
    NDArray safe = labels.mul(ok.toType(DataType.INT64, false)).squeeze(1);
    NDArray oneHot = safe.oneHot(classes).transpose(0, 3, 1, 2).mul(ok.toType(DataType.FLOAT32, false));
    return logits.logSoftmax(1).mul(oneHot).sum().neg().div(Math.max(1, valid));
  }

  /** Confusion matrix of the argmax over the clean test images at base size. */
  private Scores test(Trainer trainer, List<Sample> testSet) {
    long[][] confusion = new long[classes][classes];
    int s = recipe.baseSize();
    int bs = Math.max(1, recipe.batchSize());
    for (int from = 0; from < testSet.size(); from += bs) {
      List<Sample> batch = testSet.subList(from, Math.min(testSet.size(), from + bs));
      float[] x = new float[batch.size() * 3 * s * s];
      long[] y = new long[batch.size() * s * s];
      for (int k = 0; k < batch.size(); k++) {
        Augment.whole(batch.get(k), x, k * 3 * s * s, y, k * s * s);
      }
      try (NDManager nd = trainer.getManager().newSubManager()) {
        NDArray logits = trainer.evaluate(new NDList(nd.create(x, new Shape(batch.size(), 3, s, s)))).singletonOrThrow();
        long[] pred = logits.argMax(1).toType(DataType.INT64, false).toLongArray();
        for (int i = 0; i < pred.length; i++) {
          int l = (int) y[i];
          if (l != LabeledDataset.IGNORE && l < classes) {
            confusion[l][(int) pred[i]]++;
          }
        }
      }
    }
    return Scores.of(confusion);
  }
}
