package dev.unseg.jobs.evaluate;

import com.typesafe.config.Config;
import dev.unseg.jobs.config.RunSpec;
import dev.unseg.jobs.config.SettingReads;
import dev.unseg.pipeline.dataset.DatasetFormat;
import dev.unseg.pipeline.dataset.Selection;
import dev.unseg.pipeline.error.UserError;
import dev.unseg.pipeline.image.ImageCodec;
import dev.unseg.pipeline.image.JpegCodec;

/**
 * Where the clean dataset is and how it is laid out, as protect reads it: a protect run's own
 * settings, or the {@code unseg.input.*} keys (the same flags as protect's), which override the run's
 * where they are set (a dataset read from another mount).
 *
 * @param selection the classes the run protected (its {@code --select}): the probe learns those, the others are
 *     background to it; every class where there is no run
 * @param sampleBits the bits of a 16-bit sample that hold data ({@code unseg.input.sample-bits}): images are
 *     viewed as protect viewed them
 */
public record DatasetSource(DatasetFormat format, String images, String annotations, String maskName, String panopticMasks,
    String imageList, Selection selection, int sampleBits) {

  /** A dataset whose every class is learned. */
  public DatasetSource(DatasetFormat format, String images, String annotations, String maskName, String panopticMasks,
      String imageList) {
    this(format, images, annotations, maskName, panopticMasks, imageList, Selection.all());
  }

  /** A dataset whose 16-bit data spans the 16 bits. */
  public DatasetSource(DatasetFormat format, String images, String annotations, String maskName, String panopticMasks,
      String imageList, Selection selection) {
    this(format, images, annotations, maskName, panopticMasks, imageList, selection, ImageCodec.FULL_SAMPLE_BITS);
  }

  /** A codec that views the dataset's images as protect does. */
  public ImageCodec codec(long maxPixels) {
    return new ImageCodec(maxPixels, JpegCodec.AUTO, sampleBits);
  }

  /** The run's dataset, with any {@code unseg.input} key that is set taking its place. */
  static DatasetSource of(RunSpec run, Config unseg) {
    Config input = unseg.getConfig("input");
    return new DatasetSource(input.getString("format").isEmpty() ? run.datasetFormat() : format(unseg),
        or(input.getString("images"), run.images()), or(input.getString("annotations"), run.annotations()),
        or(run.maskName(), input.getString("mask-name")), or(input.getString("panoptic-masks"), run.panopticMasks()),
        or(input.getString("image-list"), run.imageList()), run.segmentSelection(), run.sampleBits());
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
        input.getString("image-list"), Selection.all(), SettingReads.intIn(unseg, "input.sample-bits", null, 8, 16));
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
