package dev.unseg.pipeline.dataset;

import dev.unseg.pipeline.error.InputException;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Where a label-map dataset keeps its images and per-image annotation rasters, and which label
 * values form the union mask. Paths are relative to the images root and the annotations root.
 *
 * <ul>
 *   <li>ADE20K: {@code *.jpg}; annotation: same path with {@code .png}; labels 0..150, 0 ("other")
 *       never selected; ALL = 1..150.
 *   <li>Cityscapes: {@code *_leftImg8bit.png}; annotation: {@code *_gtFine_labelIds.png}; labels
 *       0..33 plus 255 (license plate, -1, as written to 8 bits); ALL = every label not ignored in
 *       evaluation (0-6, 9, 10, 14-16, 18, 29, 30 and -1/255 excluded); THINGS = 24-28, 31-33.
 *   <li>VOC: {@code *.jpg}; annotation: same path with {@code .png} (class PNG, palette indices);
 *       labels 0..20 and 255; ALL and THINGS = 1..20 (background 0 and void 255 excluded).
 *   <li>mask-pairs: png/jpg/jpeg/tif/tiff; annotation from the name rule; nonzero = foreground
 *       (only the selection {@code all} applies).
 * </ul>
 * For class selections on label maps the ids are label values; naming an id outside the format's
 * labels is a configuration error.
 */
public final class LabelMapLayout {
  /** The default mask-pairs name rule: the mask has the image's path with a .png extension. */
  public static final String DEFAULT_MASK_PAIRS_RULE = "{dir}{stem}.png";

  private static final String CITYSCAPES_LABELS = "_gtFine_labelIds.png";
  private static final int[] CITYSCAPES_IGNORED = {0, 1, 2, 3, 4, 5, 6, 9, 10, 14, 15, 16, 18, 29, 30};
  private static final int[] CITYSCAPES_THINGS = {24, 25, 26, 27, 28, 31, 32, 33};

  private final DatasetFormat format;
  private final byte[] table; // null for mask-pairs
  private final Set<Integer> maskValues; // mask-pairs: the selected values, empty for nonzero
  private final String validValues;
  private final String nameRule;

  private LabelMapLayout(DatasetFormat format, byte[] table, Set<Integer> maskValues, String validValues, String nameRule) {
    this.format = format;
    this.table = table;
    this.maskValues = maskValues;
    this.validValues = validValues;
    this.nameRule = nameRule;
  }

  /**
   * @param maskPairsNameRule for MASK_PAIRS: placeholders {@code {dir}} (directory with its trailing
   *     '/', or empty), {@code {stem}} (file name without extension), {@code {ext}} (extension
   *     without dot); null means {@link #DEFAULT_MASK_PAIRS_RULE}. Ignored for the other formats.
   * @throws IllegalArgumentException for a COCO format, a selection the format cannot apply, or a
   *     bad name rule
   */
  public static LabelMapLayout forFormat(DatasetFormat f, Selection s, String maskPairsNameRule) {
    if (f != DatasetFormat.MASK_PAIRS && s.classIds().stream().anyMatch(Selection::isColour)) {
      throw new IllegalArgumentException("colours (#RRGGBB) select the classes of colour-coded mask pairs; " + f.cliName()
          + " labels its classes by value or name");
    }
    return switch (f) {
      case ADE20K -> {
        if (s.mode() == Selection.Mode.THINGS) {
          throw new IllegalArgumentException("ADE20K scene parsing has no thing/stuff split; use all, class:ID (or NAME) or classes:ID,NAME,...");
        }
        byte[] t = table(0, 150, new int[0]);
        yield new LabelMapLayout(f, select(t, s, range(1, 150), range(1, 150), f), Set.of(), "0..150", null);
      }
      case CITYSCAPES -> {
        byte[] t = table(0, 33, new int[] {255});
        yield new LabelMapLayout(f, select(t, s, cityscapesEvaluated(), CITYSCAPES_THINGS, f), Set.of(), "0..33 and 255 (-1)", null);
      }
      case VOC -> {
        byte[] t = table(0, 20, new int[] {255});
        yield new LabelMapLayout(f, select(t, s, range(1, 20), range(1, 20), f), Set.of(), "0..20 and 255 (void)", null);
      }
      case MASK_PAIRS -> {
        if (s.mode() == Selection.Mode.THINGS) {
          throw new IllegalArgumentException("mask-pairs masks have no things and stuff: select all, or the mask values"
              + " that are objects (class:1, classes:1,3)");
        }
        s.requireResolved();
        for (long v : s.classIds()) {
          if (v > 65535 && !Selection.isColour(v)) {
            throw new IllegalArgumentException("class id " + v + " is not a mask value (0..65535) nor a colour (#RRGGBB)");
          }
        }
        if (s.classIds().stream().anyMatch(Selection::isColour) && !s.classIds().stream().allMatch(Selection::isColour)) {
          throw new IllegalArgumentException("give the classes of mask pairs as values (class:1, of single-channel masks)"
              + " or as colours (class:#0000ff, of colour-coded masks), not both");
        }
        Set<Integer> values = s.classIds().stream().map(Long::intValue).collect(java.util.stream.Collectors.toSet());
        yield new LabelMapLayout(f, null, values, "any",
            checkRule(maskPairsNameRule == null ? DEFAULT_MASK_PAIRS_RULE : maskPairsNameRule));
      }
      case COCO, COCO_PANOPTIC -> throw new IllegalArgumentException(f.cliName() + " is not a label-map format; use CocoTasks");
    };
  }

  /** Whether this layout's selection puts pixels of label value {@code value} into the mask (mask pairs: its object). */
  public boolean selects(int value) {
    return table == null ? value != 0 : value >= 0 && value < 256 && table[value] == LabelMapMask.SELECTED;
  }

  public DatasetFormat format() {
    return format;
  }

  /** The mask-pairs name rule (null for the other formats). */
  public String nameRule() {
    return nameRule;
  }

  /** Whether a listed file (relative to the images root) is one of the dataset's images. */
  public boolean isImage(String relativePath) {
    String p = relativePath.toLowerCase(Locale.ROOT);
    return switch (format) {
      case ADE20K, VOC -> p.endsWith(".jpg");
      case CITYSCAPES -> relativePath.endsWith("_leftImg8bit.png");
      case MASK_PAIRS -> p.endsWith(".png") || p.endsWith(".jpg") || p.endsWith(".jpeg") || p.endsWith(".tif") || p.endsWith(".tiff");
      default -> false;
    };
  }

  /**
   * The image an image list's entry names: the entry itself, or, when its file name has no extension (VOC's
   * ImageSets name stems), the entry with the format's (VOC and ADE20K {@code .jpg}, Cityscapes
   * {@code _leftImg8bit.png}; mask pairs have none, so their lists name whole files).
   */
  public static String listedImage(String entry, DatasetFormat format) {
    if (!DatasetPaths.extension(entry).isEmpty()) {
      return entry;
    }
    return switch (format) {
      case VOC, ADE20K -> entry + ".jpg";
      case CITYSCAPES -> entry + "_leftImg8bit.png";
      default -> entry;
    };
  }

  /** What {@link #isImage} takes, for messages. */
  public String imageNames() {
    return switch (format) {
      case ADE20K, VOC -> "*.jpg";
      case CITYSCAPES -> "*_leftImg8bit.png";
      default -> "JPEG, PNG or TIFF files";
    };
  }

  /**
   * The annotation raster of an image, relative to the annotations root.
   *
   * @throws IllegalArgumentException when {@link #isImage} is false for the path
   */
  public String annotationPathFor(String imageRelativePath) {
    if (!isImage(imageRelativePath)) {
      throw new IllegalArgumentException(imageRelativePath + " is not a " + format.cliName() + " image name");
    }
    String dir = DatasetPaths.directory(imageRelativePath);
    String stem = DatasetPaths.stem(imageRelativePath);
    return switch (format) {
      case ADE20K, VOC -> dir + stem + ".png";
      case CITYSCAPES -> imageRelativePath.substring(0, imageRelativePath.length() - "_leftImg8bit.png".length()) + CITYSCAPES_LABELS;
      default -> nameRule.replace("{dir}", dir).replace("{stem}", stem).replace("{ext}", DatasetPaths.extension(imageRelativePath));
    };
  }

  /**
   * The annotation files released beside the one a mask reads, which no mask needs: Cityscapes'
   * instance ids, colour picture and polygons of the same frame (instance-segmentation training
   * reads them). Copied when they exist; none for the other formats.
   */
  public static List<String> companions(DatasetFormat format, String annotationPath) {
    if (format != DatasetFormat.CITYSCAPES || !annotationPath.endsWith(CITYSCAPES_LABELS)) {
      return List.of();
    }
    String frame = annotationPath.substring(0, annotationPath.length() - CITYSCAPES_LABELS.length());
    return List.of(frame + "_gtFine_instanceIds.png", frame + "_gtFine_color.png", frame + "_gtFine_polygons.json");
  }

  /**
   * The task of one listed image: rejected with PATH_UNSAFE when the image path or its annotation
   * path is unsafe (never followed); otherwise its mask reads the annotation at build time.
   *
   * @throws IllegalArgumentException when {@link #isImage} is false for the path
   */
  public ImageTask task(String imageRelativePath) {
    try {
      DatasetPaths.checkSafeRelativePath(imageRelativePath);
      String annotation = annotationPathFor(imageRelativePath);
      DatasetPaths.checkSafeRelativePath(annotation);
      MaskSource mask = table == null
          ? new BinaryMaskFile(annotation, maskValues)
          : new LabelMapMask(annotation, table, displayName(), validValues);
      return ImageTask.of(imageRelativePath, mask);
    } catch (InputException e) {
      return ImageTask.rejected(imageRelativePath, e.code(), "image " + imageRelativePath + ": " + e.getMessage());
    }
  }

  private String displayName() {
    return switch (format) {
      case ADE20K -> "ADE20K";
      case CITYSCAPES -> "Cityscapes";
      case VOC -> "VOC";
      default -> format.cliName();
    };
  }

  /** Values lo..hi and extras are UNSELECTED, everything else OUT_OF_RANGE. */
  private static byte[] table(int lo, int hi, int[] extras) {
    byte[] t = new byte[256];
    java.util.Arrays.fill(t, LabelMapMask.OUT_OF_RANGE);
    for (int v = lo; v <= hi; v++) {
      t[v] = LabelMapMask.UNSELECTED;
    }
    for (int v : extras) {
      t[v] = LabelMapMask.UNSELECTED;
    }
    return t;
  }

  private static byte[] select(byte[] t, Selection s, int[] all, int[] things, DatasetFormat f) {
    s.requireResolved();
    int[] chosen = switch (s.mode()) {
      case ALL -> all;
      case THINGS -> things;
      case ONE_CLASS, CLASSES -> s.classIds().stream().mapToInt(id -> classId(id, t, f)).toArray();
    };
    for (int v : chosen) {
      t[v] = LabelMapMask.SELECTED;
    }
    return t;
  }

  private static int classId(long id, byte[] t, DatasetFormat f) {
    if (id < 0 || id > 255 || t[(int) id] == LabelMapMask.OUT_OF_RANGE) {
      throw new IllegalArgumentException("class id " + id + " is not a " + f.cliName() + " label value");
    }
    return (int) id;
  }

  private static int[] range(int lo, int hi) {
    int[] r = new int[hi - lo + 1];
    for (int i = 0; i < r.length; i++) {
      r[i] = lo + i;
    }
    return r;
  }

  private static int[] cityscapesEvaluated() {
    Set<Integer> ignored = new java.util.HashSet<>();
    for (int v : CITYSCAPES_IGNORED) {
      ignored.add(v);
    }
    return java.util.stream.IntStream.rangeClosed(0, 33).filter(v -> !ignored.contains(v)).toArray();
  }

  /**
   * Checks a mask-pairs name rule (protect's configuration checks it before anything is read) and returns it.
   *
   * @throws IllegalArgumentException when the rule leaves out the image's stem, or uses a token in braces
   *     that the rule language does not define (it defines three: dir, stem and ext)
   */
  public static String checkRule(String rule) {
    if (!rule.contains("{stem}")) {
      throw new IllegalArgumentException("mask-pairs name rule '" + rule + "' must contain {stem}; e.g. " + DEFAULT_MASK_PAIRS_RULE + " or {dir}{stem}_mask.tif");
    }
    String rest = rule.replace("{dir}", "").replace("{stem}", "").replace("{ext}", "");
    if (rest.contains("{") || rest.contains("}")) {
      throw new IllegalArgumentException("mask-pairs name rule '" + rule + "' has an unknown placeholder; known: {dir}, {stem}, {ext}");
    }
    return rule;
  }
}
