package dev.unseg.pipeline.dataset;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The dataset layouts the pipeline reads, by the name users write in the configuration. */
public enum DatasetFormat {
  COCO("coco"),
  COCO_PANOPTIC("coco-panoptic"),
  ADE20K("ade20k"),
  CITYSCAPES("cityscapes"),
  VOC("voc"),
  MASK_PAIRS("mask-pairs");

  private final String cliName;

  DatasetFormat(String cliName) {
    this.cliName = cliName;
  }

  public String cliName() {
    return cliName;
  }

  /** Whether its masks carry each pixel's class (the label maps {@link LabelMapMask} reads): what the classes design colours. */
  public boolean classMaps() {
    return this == ADE20K || this == CITYSCAPES || this == VOC;
  }

  /** @throws IllegalArgumentException naming the accepted names when {@code name} is none of them */
  public static DatasetFormat fromName(String name) {
    for (DatasetFormat f : values()) {
      if (f.cliName.equalsIgnoreCase(name == null ? "" : name.trim())) {
        return f;
      }
    }
    throw new IllegalArgumentException(
        "unknown dataset format '" + name + "'; accepted: "
            + Arrays.stream(values()).map(DatasetFormat::cliName).collect(Collectors.joining(", ")));
  }
}
