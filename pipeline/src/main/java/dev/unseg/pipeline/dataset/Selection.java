package dev.unseg.pipeline.dataset;

import java.io.Serializable;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Which segments of an image form its union mask.
 *
 * <p>Spec grammar for {@link #parse}: {@code BASE[+crowd|+no-crowd]} where BASE is
 *
 * <ul>
 *   <li>{@code all}: every segment the format labels (its meaning per format: see {@link
 *       LabelMapLayout} and {@link CocoTasks});
 *   <li>{@code things}: COCO categories with {@code isthing} (instance files: every category),
 *       Cityscapes' instance classes that are evaluated (person, rider, car, truck, bus, train,
 *       motorcycle, bicycle), VOC: the same as all;
 *   <li>{@code class:ID}: one class (COCO category id, or label value in label maps);
 *   <li>{@code classes:ID,ID,...}: a list of them.
 * </ul>
 * Crowd segments (COCO {@code iscrowd=1}) are excluded unless the spec ends with {@code +crowd};
 * {@code +no-crowd} says the default explicitly. Examples: {@code all}, {@code things+crowd},
 * {@code classes:1,3,62+no-crowd}. Label maps carry no crowd flag, so the suffix changes nothing
 * there.
 *
 * @param classIds the classes of ONE_CLASS / CLASSES, empty for the other modes; immutable
 */
public record Selection(Mode mode, Set<Long> classIds, boolean excludeCrowd) implements Serializable {

  public enum Mode {
    ALL,
    ONE_CLASS,
    CLASSES,
    THINGS
  }

  static final String GRAMMAR = "expected all | things | class:ID | classes:ID,ID,... optionally followed by +crowd or +no-crowd";

  public Selection {
    classIds = Set.copyOf(classIds);
    if ((mode == Mode.ONE_CLASS && classIds.size() != 1) || (mode == Mode.CLASSES && classIds.isEmpty())) {
      throw new IllegalArgumentException("selection " + mode + " needs " + (mode == Mode.ONE_CLASS ? "one class id" : "class ids"));
    }
    if ((mode == Mode.ALL || mode == Mode.THINGS) && !classIds.isEmpty()) {
      throw new IllegalArgumentException("selection " + mode + " takes no class ids");
    }
  }

  public static Selection all() {
    return new Selection(Mode.ALL, Set.of(), true);
  }

  /** The UnSeg reference's union mask (docs/unseg-contract.md): every non-crowd segment the format labels (ignored/void labels excluded). */
  public static Selection defaultFor(DatasetFormat format) {
    return all();
  }

  /** @throws IllegalArgumentException naming the spec and the grammar when it does not parse */
  public static Selection parse(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("empty selection; " + GRAMMAR);
    }
    String s = spec.trim().toLowerCase(Locale.ROOT);
    boolean excludeCrowd = true;
    if (s.endsWith("+no-crowd")) {
      s = s.substring(0, s.length() - "+no-crowd".length());
    } else if (s.endsWith("+crowd")) {
      excludeCrowd = false;
      s = s.substring(0, s.length() - "+crowd".length());
    }
    if (s.equals("all")) {
      return new Selection(Mode.ALL, Set.of(), excludeCrowd);
    }
    if (s.equals("things")) {
      return new Selection(Mode.THINGS, Set.of(), excludeCrowd);
    }
    if (s.startsWith("class:")) {
      return new Selection(Mode.ONE_CLASS, Set.of(parseId(s.substring(6), spec)), excludeCrowd);
    }
    if (s.startsWith("classes:")) {
      Set<Long> ids = new LinkedHashSet<>();
      for (String part : s.substring(8).split(",", -1)) {
        ids.add(parseId(part, spec));
      }
      return new Selection(Mode.CLASSES, ids, excludeCrowd);
    }
    throw new IllegalArgumentException("cannot parse selection '" + spec + "'; " + GRAMMAR);
  }

  private static long parseId(String s, String spec) {
    try {
      long id = Long.parseLong(s.trim());
      if (id < 0) {
        throw new NumberFormatException();
      }
      return id;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("selection '" + spec + "': '" + s + "' is not a class id (a non-negative integer); " + GRAMMAR);
    }
  }

  /** True when class {@code id} is named by ONE_CLASS / CLASSES (false for the other modes). */
  public boolean names(long id) {
    return classIds.contains(id);
  }
}
