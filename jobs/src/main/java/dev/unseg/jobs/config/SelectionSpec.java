package dev.unseg.jobs.config;

import dev.unseg.pipeline.dataset.Selection;
import java.util.stream.Collectors;

/** A selection written back as the --select spec that parses to it (for the summary). */
public final class SelectionSpec {
  private SelectionSpec() {}

  public static String of(Selection s) {
    // Ids, then names still to be resolved against the dataset (a COCO index's categories).
    String ids = java.util.stream.Stream.concat(s.classIds().stream().sorted().map(Selection::idText),
        s.classNames().stream().sorted()).collect(Collectors.joining(","));
    String base = switch (s.mode()) {
      case ALL -> "all";
      case THINGS -> "things";
      case ONE_CLASS -> "class:" + ids;
      case CLASSES -> "classes:" + ids;
    };
    return s.excludeCrowd() ? base : base + "+crowd";
  }
}
