package dev.unseg.jobs.train;

import com.typesafe.config.Config;
import dev.unseg.jobs.config.SettingReads;
import dev.unseg.jobs.evaluate.DatasetSource;
import dev.unseg.pipeline.error.UserError;

/**
 * One {@code unseg train-generator} run (the {@code unseg.train-generator} block and the dataset of the
 * {@code unseg.input} keys, read as protect reads it).
 *
 * @param output where the model file goes (any URI)
 * @param labels what the surrogate learns: {@code binary} (the union mask, as UnSeg's surrogate) or
 *     {@code classes} (the dataset's class map, as the multi-class models a thief trains)
 * @param sample images the min-min trains on (a seeded pick of the dataset)
 * @param epochs rounds of the min-min: each is one pass of surrogate steps, then one of generator steps
 * @param eps budget inside the mask at use, grey levels (as protect's --eps)
 * @param epsBackground budget outside the mask at use (as protect's --eps-bg)
 * @param labelModification generator steps aim the surrogate at an all-ones mask (UnSeg's label modification)
 * @param epsGeneralisation train at an eighth of the budgets, to be applied at the whole (UnSeg's eps generalisation)
 * @param baseChannels the generator U-Net's first-level channels
 * @param surrogateChannels the surrogate U-Net's first-level channels
 * @param evaluate then run the evaluate probe on images the model protects ({@link GeneratorVerdict})
 */
public record GeneratorTraining(DatasetSource data, String output, String labels, int sample, int epochs, int batchSize, double eps,
    double epsBackground, boolean labelModification, boolean epsGeneralisation, int baseChannels, int surrogateChannels,
    double learningRate, long seed, boolean evaluate) {

  public static GeneratorTraining from(Config root) {
    Config c = root.getConfig("unseg");
    for (String key : new String[] {"format", "images", "annotations"}) {
      if (SettingReads.string(c, "input." + key).isEmpty()) {
        throw new UserError("unseg.input." + key + " is not set: train-generator reads a dataset as protect does; give --"
            + key + " (see unseg train-generator --help)");
      }
    }
    String output = SettingReads.required(c, "train-generator.output", "--output", "the model file to write (path or URI)");
    String labels = SettingReads.enumSetting(c, "train-generator.labels", "--labels", l -> {
      if (!l.equals("binary") && !l.equals("classes")) {
        throw new IllegalArgumentException(l);
      }
      return l;
    }, "binary or classes");
    boolean labelModification = SettingReads.bool(c, "train-generator.label-modification");
    if (labelModification && labels.equals("classes")) {
      throw new UserError("unseg.train-generator.label-modification aims a binary surrogate at an all-ones mask; it has"
          + " no meaning with --labels classes. Drop --label-modification, or train with --labels binary.");
    }
    return new GeneratorTraining(DatasetSource.of(c), output, labels,
        SettingReads.intIn(c, "train-generator.sample", "--sample", 2, 1_000_000),
        SettingReads.intIn(c, "train-generator.epochs", "--epochs", 1, 100_000),
        SettingReads.intIn(c, "train-generator.batch-size", "--batch-size", 2, 1024),
        SettingReads.doubleIn(c, "train-generator.eps", "--eps", 0, 255),
        SettingReads.doubleIn(c, "train-generator.eps-bg", "--eps-bg", 0, 255),
        labelModification, SettingReads.bool(c, "train-generator.eps-generalisation"),
        SettingReads.intIn(c, "train-generator.base-channels", null, 1, 256),
        SettingReads.intIn(c, "train-generator.surrogate-channels", null, 1, 256),
        SettingReads.doubleIn(c, "train-generator.learning-rate", null, 1e-7, 1),
        SettingReads.longIn(c, "train-generator.seed", "--seed", 0, Long.MAX_VALUE),
        SettingReads.bool(c, "train-generator.evaluate"));
  }

  /** The budgets the min-min trains at, as fractions of the 0-1 range: the whole, or an eighth with eps generalisation. */
  float trainingScale() {
    return (epsGeneralisation ? 1f / 8 : 1f) / 255f;
  }
}
