package dev.unseg.jobs.evaluate;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Trains the probe U-Net from a fixed seed on some images and tests it after every epoch on clean
 * images. Same seed, same data order, same initial weights: two trainings differ only in the
 * training pixels they are given.
 */
final class ProbeTrainer {
  private final ProbeSettings settings;

  ProbeTrainer(ProbeSettings settings) {
    this.settings = settings;
  }

  /** Told after every epoch: its number from 1, mean training loss, clean-test scores, seconds so far. */
  interface EpochListener {
    void epoch(int epoch, double loss, IoU test, double seconds);
  }

  Curve train(List<Sample> trainSet, List<Sample> testSet, EpochListener listener) {
    long start = System.nanoTime();
    int size = trainSet.get(0).size();
    Device device = Engine.getInstance().getGpuCount() > 0 ? Device.gpu() : Device.cpu();
    Engine.getInstance().setRandomSeed((int) settings.seed());
    try (Model model = Model.newInstance("unseg-probe", device, "PyTorch")) {
      model.setBlock(UNet.build(settings.baseChannels()));
      // Cosine decay to a hundredth: the last epoch, which is the one reported, is taken at a small step size,
      // so it does not land wherever the last large step threw it (seen as a 0.18 to 0.36 spread between seeds).
      int steps = settings.epochs() * ((trainSet.size() + settings.batchSize() - 1) / settings.batchSize());
      Tracker rate = Tracker.cosine().setBaseValue(settings.learningRate())
          .optFinalValue(settings.learningRate() / 100).setMaxUpdates(steps).build();
      DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.sigmoidBinaryCrossEntropyLoss())
          .optOptimizer(Optimizer.adam().optLearningRateTracker(rate).build())
          .optDevices(new Device[] {device});
      try (Trainer trainer = model.newTrainer(config)) {
        trainer.initialize(new Shape(settings.batchSize(), 3, size, size));
        List<Double> losses = new ArrayList<>();
        List<IoU> tests = new ArrayList<>();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < trainSet.size(); i++) {
          order.add(i);
        }
        Random shuffle = new Random(settings.seed());
        for (int epoch = 0; epoch < settings.epochs(); epoch++) {
          Collections.shuffle(order, shuffle);
          double sum = 0;
          int batches = 0;
          for (int from = 0; from < order.size(); from += settings.batchSize()) {
            List<Sample> batch = new ArrayList<>();
            for (int i = from; i < Math.min(order.size(), from + settings.batchSize()); i++) {
              batch.add(trainSet.get(order.get(i)));
            }
            try (NDManager m = trainer.getManager().newSubManager()) {
              NDList x = new NDList(images(m, batch));
              NDList y = new NDList(labels(m, batch));
              try (GradientCollector gc = trainer.newGradientCollector()) {
                NDArray loss = trainer.getLoss().evaluate(y, trainer.forward(x));
                sum += loss.getFloat();
                gc.backward(loss);
              }
              trainer.step();
            }
            batches++;
          }
          losses.add(sum / batches);
          tests.add(test(trainer, testSet));
          if (listener != null) {
            listener.epoch(epoch + 1, sum / batches, tests.get(tests.size() - 1), (System.nanoTime() - start) / 1e9);
          }
        }
        return new Curve(losses, tests, tests.get(tests.size() - 1), (System.nanoTime() - start) / 1e9);
      }
    }
  }

  /** Dataset-level IoU of the thresholded logits (logit > 0) against the labels. */
  private IoU test(Trainer trainer, List<Sample> testSet) {
    long tp = 0;
    long fp = 0;
    long fn = 0;
    long tn = 0;
    for (int from = 0; from < testSet.size(); from += settings.batchSize()) {
      List<Sample> batch = testSet.subList(from, Math.min(testSet.size(), from + settings.batchSize()));
      try (NDManager m = trainer.getManager().newSubManager()) {
        float[] logits = trainer.evaluate(new NDList(images(m, batch))).singletonOrThrow().toFloatArray();
        int off = 0;
        for (Sample s : batch) {
          for (byte l : s.label()) {
            boolean p = logits[off++] > 0;
            if (l != 0) {
              if (p) {
                tp++;
              } else {
                fn++;
              }
            } else if (p) {
              fp++;
            } else {
              tn++;
            }
          }
        }
      }
    }
    return IoU.of(tp, fp, fn, tn);
  }

  private static NDArray images(NDManager m, List<Sample> batch) {
    int size = batch.get(0).size();
    float[] data = new float[batch.size() * 3 * size * size];
    int off = 0;
    for (Sample s : batch) {
      System.arraycopy(s.chw(), 0, data, off, s.chw().length);
      off += s.chw().length;
    }
    return m.create(data, new Shape(batch.size(), 3, size, size));
  }

  private static NDArray labels(NDManager m, List<Sample> batch) {
    int size = batch.get(0).size();
    float[] data = new float[batch.size() * size * size];
    int off = 0;
    for (Sample s : batch) {
      for (byte l : s.label()) {
        data[off++] = l != 0 ? 1f : 0f;
      }
    }
    return m.create(data, new Shape(batch.size(), 1, size, size));
  }
}
