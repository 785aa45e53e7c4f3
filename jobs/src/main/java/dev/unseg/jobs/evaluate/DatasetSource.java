package dev.unseg.jobs.evaluate;

import com.typesafe.config.Config;
import dev.unseg.jobs.config.RunSpec;
import dev.unseg.jobs.config.SettingReads;
import dev.unseg.pipeline.dataset.DatasetFormat;
import dev.unseg.pipeline.dataset.Selection;
import dev.unseg.pipeline.error.UserError;

/**
 * Where the clean dataset is and how it is laid out, as protect reads it: a protect run's own
 * settings, or the {@code unseg.input.*} keys (the same flags as protect's), which override the run's
 * where they are set (a dataset read from another mount).
 *
 * @param selection the classes the run protected (its {@code --select}): the probe learns those, the others are
 *     background to it; every class where there is no run
 */
public record DatasetSource(DatasetFormat format, String images, String annotations, String maskName, String panopticMasks,
    String imageList, Selection selection) {

  /** A dataset whose every class is learned. */
  public DatasetSource(DatasetFormat format, String images, String annotations, String maskName, String panopticMasks,
      String imageList) {
    this(format, images, annotations, maskName, panopticMasks, imageList, Selection.all());
  }

  /** The run's dataset, with any {@code unseg.input} key that is set taking its place. */
  static DatasetSource of(RunSpec run, Config unseg) {
    Config input = unseg.getConfig("input");
    return new DatasetSource(input.getString("format").isEmpty() ? run.datasetFormat() : format(unseg),
        or(input.getString("images"), run.images()), or(input.getString("annotations"), run.annotations()),
        or(run.maskName(), input.getString("mask-name")), or(input.getString("panoptic-masks"), run.panopticMasks()),
        or(input.getString("image-list"), run.imageList()), run.segmentSelection());
  }

  /** The dataset of the {@code unseg.input} keys alone (a run of the controls, with no protected copy). */
  public static DatasetSource of(Config unseg) {
    Config input = unseg.getConfig("input");
    for (String key : new String[] {"format", "images", "annotations"}) {
      if (input.getString(key).isEmpty()) {
        throw new UserError("unseg.input." + key + " is not set: give --" + key + ", or --protected OUTPUT of a protect run"
            + " (its dataset is then read from the run's settings)");
      }
    }
    return new DatasetSource(format(unseg), input.getString("images"),
        input.getString("annotations"), input.getString("mask-name"), input.getString("panoptic-masks"),
        input.getString("image-list"));
  }

  /** The --format a user gave: a name protect accepts, or a user error (exit 2) naming the key. */
  private static DatasetFormat format(Config unseg) {
    return SettingReads.enumSetting(unseg, "input.format", "--format", DatasetFormat::fromName,
        "coco, coco-panoptic, ade20k, cityscapes, voc or mask-pairs");
  }

  private static String or(String first, String second) {
    return first == null || first.isEmpty() ? second : first;
  }
}
