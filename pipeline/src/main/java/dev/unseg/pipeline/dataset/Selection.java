package dev.unseg.pipeline.dataset;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 *   <li>{@code class:ID}: one class (COCO category id, or label value in label maps), or {@code class:NAME}:
 *       the class of that name (a COCO category's name; ADE20K's, VOC's or Cityscapes' class names), any case;
 *   <li>{@code classes:ID,ID,...}: a list of them, ids and names mixed;
 *   <li>for mask pairs, {@code #RRGGBB}: a colour of colour-coded RGB (or palette) masks, as ISPRS Potsdam's and
 *       CamVid's labels are, in place of an ID ({@link #colour}).
 * </ul>
 * Crowd segments (COCO {@code iscrowd=1}) are excluded unless the spec ends with {@code +crowd};
 * {@code +no-crowd} says the default explicitly. Examples: {@code all}, {@code things+crowd},
 * {@code classes:1,3,62+no-crowd}, {@code classes:person,car}. Label maps carry no crowd flag, so the suffix
 * changes nothing there.
 *
 * <p>A parsed selection may name classes that only the dataset can turn into ids (a COCO index's categories):
 * {@link #resolve} does that before anything is selected with it.
 *
 * @param classIds the classes of ONE_CLASS / CLASSES given as ids, empty for the other modes; immutable
 * @param classNames those given as names (lower case), not yet resolved; immutable
 */
public record Selection(Mode mode, Set<Long> classIds, Set<String> classNames, boolean excludeCrowd)
    implements Serializable {

  public enum Mode {
    ALL,
    ONE_CLASS,
    CLASSES,
    THINGS
  }

  static final String GRAMMAR = "expected all | things | class:ID | class:NAME | classes:ID,NAME,..."
      + " (mask pairs: also colours, class:#RRGGBB) optionally followed by +crowd or +no-crowd";
  /** The flag of a class id that is a mask colour, 0xRRGGBB below it: above every 16-bit mask value. */
  private static final long COLOUR = 1L << 24;

  public Selection {
    classIds = Set.copyOf(classIds);
    classNames = Set.copyOf(classNames);
    int classes = classIds.size() + classNames.size();
    if ((mode == Mode.ONE_CLASS && classes != 1) || (mode == Mode.CLASSES && classes == 0)) {
      throw new IllegalArgumentException("selection " + mode + " needs " + (mode == Mode.ONE_CLASS ? "one class" : "classes"));
    }
    if ((mode == Mode.ALL || mode == Mode.THINGS) && classes != 0) {
      throw new IllegalArgumentException("selection " + mode + " takes no classes");
    }
  }

  public Selection(Mode mode, Set<Long> classIds, boolean excludeCrowd) {
    this(mode, classIds, Set.of(), excludeCrowd);
  }

  public static Selection all() {
    return new Selection(Mode.ALL, Set.of(), true);
  }

  /** @throws IllegalStateException when some class is still a name: selecting with it would leave that class out */
  public void requireResolved() {
    if (!resolved()) {
      throw new IllegalStateException("selection " + this + ": class names not resolved to the dataset's ids");
    }
  }

  /** Whether every class it names is an id ({@link #resolve} has nothing left to do). */
  public boolean resolved() {
    return classNames.isEmpty();
  }

  /**
   * This selection with its class names turned into ids.
   *
   * @param idsByName every class id of the dataset under its lower-case name (a name some classes share maps to
   *     all of them)
   * @throws IllegalArgumentException naming the names the dataset does not have, or has for several classes
   */
  public Selection resolve(Map<String, List<Long>> idsByName) {
    if (resolved()) {
      return this;
    }
    Set<Long> ids = new LinkedHashSet<>(classIds);
    List<String> unknown = new ArrayList<>();
    for (String name : classNames.stream().sorted().toList()) {
      List<Long> named = idsByName.getOrDefault(name, List.of());
      if (named.size() != 1) {
        if (!named.isEmpty()) {
          throw new IllegalArgumentException("the name '" + name + "' is that of " + named.size() + " classes (ids "
              + named.stream().sorted().map(String::valueOf).collect(java.util.stream.Collectors.joining(", "))
              + "): give the id of the one you mean");
        }
        unknown.add(name);
      } else {
        ids.add(named.get(0));
      }
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException((unknown.size() == 1 ? "no class is named '" : "no classes are named '")
          + String.join("', '", unknown) + "'");
    }
    return new Selection(mode, ids, Set.of(), excludeCrowd);
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
    boolean one = s.startsWith("class:");
    if (one || s.startsWith("classes:")) {
      Set<Long> ids = new LinkedHashSet<>();
      Set<String> names = new LinkedHashSet<>();
      for (String part : s.substring(one ? 6 : 8).split(",", -1)) {
        String token = part.trim();
        if (token.isEmpty()) {
          throw new IllegalArgumentException("selection '" + spec + "' has an empty class; " + GRAMMAR);
        }
        if (token.matches("[+-]?[0-9]+")) {
          ids.add(parseId(token, spec));
        } else if (token.matches("#[0-9a-f]{6}")) {
          ids.add(COLOUR | Long.parseLong(token.substring(1), 16));
        } else if (token.startsWith("#")) {
          throw new IllegalArgumentException("selection '" + spec + "': '" + token + "' is not a colour #RRGGBB (six hex digits,"
              + " #0000ff for blue); " + GRAMMAR);
        } else {
          names.add(token);
        }
      }
      if (one && ids.size() + names.size() != 1) {
        throw new IllegalArgumentException("selection '" + spec + "': class: takes one class, classes: a list; " + GRAMMAR);
      }
      return new Selection(one ? Mode.ONE_CLASS : Mode.CLASSES, ids, names, excludeCrowd);
    }
    throw new IllegalArgumentException("cannot parse selection '" + spec + "'; " + GRAMMAR);
  }

  private static long parseId(String s, String spec) {
    try {
      long id = Long.parseLong(s);
      if (id < 0) {
        throw new NumberFormatException();
      }
      return id;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("selection '" + spec + "': '" + s + "' is not a class id (a non-negative integer); " + GRAMMAR);
    }
  }

  /** The id of the mask colour 0xRRGGBB. */
  public static long colour(int rgb) {
    return COLOUR | (rgb & 0xFFFFFF);
  }

  /** A class id as --select writes it: a number, or a colour's #rrggbb. */
  public static String idText(long id) {
    return isColour(id) ? String.format("#%06x", id & 0xFFFFFF) : String.valueOf(id);
  }

  /** Whether a class id is a mask colour ({@link #colour}); its low 24 bits are then 0xRRGGBB. */
  public static boolean isColour(long id) {
    return (id & ~0xFFFFFFL) == COLOUR;
  }

  /** A dataset's class ids under their lower-case names, for {@link #resolve}: a COCO index's categories. */
  public static Map<String, List<Long>> idsByName(Map<Long, String> namesById) {
    Map<String, List<Long>> out = new java.util.HashMap<>();
    namesById.forEach((id, name) -> {
      if (name != null) {
        out.computeIfAbsent(name.trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(id);
      }
    });
    return out;
  }

  /** The first classes by id, for a message: {@code 1 person, 2 bicycle, ... 80 in all}. */
  public static String listClasses(Map<String, List<Long>> idsByName) {
    List<Map.Entry<Long, String>> byId = new ArrayList<>();
    idsByName.forEach((name, ids) -> ids.forEach(id -> byId.add(Map.entry(id, name))));
    byId.sort(Map.Entry.comparingByKey());
    return byId.stream().limit(8).map(e -> e.getKey() + " " + e.getValue())
        .collect(java.util.stream.Collectors.joining(", ")) + (byId.size() > 8 ? ", ... " + byId.size() + " in all" : "");
  }

  /** True when class {@code id} is named by ONE_CLASS / CLASSES (false for the other modes). */
  public boolean names(long id) {
    requireResolved();
    return classIds.contains(id);
  }
}
