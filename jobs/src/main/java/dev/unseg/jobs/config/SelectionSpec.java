package dev.unseg.jobs.config;

import dev.unseg.pipeline.dataset.Selection;
import java.util.stream.Collectors;

/** A selection written back as the --select spec that parses to it (for the summary). */
public final class SelectionSpec {
  private SelectionSpec() {}

  public static String of(Selection s) {
    String ids = s.classIds().stream().sorted().map(String::valueOf).collect(Collectors.joining(","));
    String base = switch (s.mode()) {
      case ALL -> "all";
      case THINGS -> "things";
      case ONE_CLASS -> "class:" + ids;
      case CLASSES -> "classes:" + ids;
    };
    return s.excludeCrowd() ? base : base + "+crowd";
  }
}
