package dev.unseg.pipeline.dataset;

import dev.unseg.pipeline.error.ErrorCode;
import dev.unseg.pipeline.error.InputException;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The classes of the label-map formats and an image's class map: one byte a pixel, 0 background, 1..N
 * the format's classes in its usual evaluation order, {@link #IGNORE} for pixels no score counts.
 *
 * <ul>
 *   <li>ADE20K: label values 0..150 as they are (0, "other", is background); the 150 SceneParsing names.
 *   <li>VOC: 0..20 as they are; 255 (the void border) ignored.
 *   <li>Cityscapes: labelIds to the 19 train ids plus one (road = 1 ... bicycle = 19); the labels not
 *       evaluated (and 255) ignored, so nothing is background.
 *   <li>mask-pairs: one class, the mask's foreground ({@link BinaryMaskFile}'s rule).
 *   <li>COCO panoptic ({@link #panoptic}): each segment's class from the index; pixels of no listed
 *       segment (COCO's void, id 0) background, as ADE20K's unlabelled 0 is.
 * </ul>
 */
public final class ClassLabels {
  public static final int IGNORE = 255;
  private static final byte OUT_OF_RANGE = (byte) 254;
  private static final List<String> ADE20K = List.of("wall", "building", "sky", "floor", "tree", "ceiling", "road", "bed", "windowpane", "grass", "cabinet", "sidewalk", "person", "earth", "door", "table", "mountain", "plant", "curtain", "chair", "car", "water", "painting", "sofa", "shelf", "house", "sea", "mirror", "rug", "field", "armchair", "seat", "fence", "desk", "rock", "wardrobe", "lamp", "bathtub", "railing", "cushion", "base", "box", "column", "signboard", "chest of drawers", "counter", "sand", "sink", "skyscraper", "fireplace", "refrigerator", "grandstand", "path", "stairs", "runway", "case", "pool table", "pillow", "screen door", "stairway", "river", "bridge", "bookcase", "blind", "coffee table", "toilet", "flower", "book", "hill", "bench", "countertop", "stove", "palm", "kitchen island", "computer", "swivel chair", "boat", "bar", "arcade machine", "hovel", "bus", "towel", "light", "truck", "tower", "chandelier", "awning", "streetlight", "booth", "television receiver", "airplane", "dirt track", "apparel", "pole", "land", "bannister", "escalator", "ottoman", "bottle", "buffet", "poster", "stage", "van", "ship", "fountain", "conveyer belt", "canopy", "washer", "plaything", "swimming pool", "stool", "barrel", "basket", "waterfall", "tent", "bag", "minibike", "cradle", "oven", "ball", "food", "step", "tank", "trade name", "microwave", "pot", "animal", "bicycle", "lake", "dishwasher", "screen", "blanket", "sculpture", "hood", "sconce", "vase", "traffic light", "tray", "ashcan", "fan", "pier", "crt screen", "plate", "monitor", "bulletin board", "shower", "radiator", "glass", "clock", "flag");
  private static final List<String> VOC = List.of("aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat",
      "chair", "cow", "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train",
      "tvmonitor");
  /** Cityscapes' name of each labelId 0..33 (cityscapesScripts' labels.py); 255 (-1) is the license plate. */
  private static final List<String> CITYSCAPES_BY_LABEL_ID = List.of("unlabeled", "ego vehicle", "rectification border",
      "out of roi", "static", "dynamic", "ground", "road", "sidewalk", "parking", "rail track", "building", "wall", "fence",
      "guard rail", "bridge", "tunnel", "pole", "polegroup", "traffic light", "traffic sign", "vegetation", "terrain", "sky",
      "person", "rider", "car", "truck", "bus", "caravan", "trailer", "train", "motorcycle", "bicycle");
  /** Cityscapes labelId of each train id, in train-id order. */
  private static final int[] CITYSCAPES_LABEL_IDS = {7, 8, 11, 12, 13, 17, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 31, 32, 33};
  /** The 19 classes Cityscapes evaluates, in train-id order. */
  private static final List<String> CITYSCAPES =
      Arrays.stream(CITYSCAPES_LABEL_IDS).mapToObj(CITYSCAPES_BY_LABEL_ID::get).toList();

  private ClassLabels() {}

  /** The class names of a label-map format, background first. */
  public static List<String> names(DatasetFormat format) {
    List<String> out = new ArrayList<>(List.of("background"));
    out.addAll(switch (format) {
      case ADE20K -> ADE20K;
      case VOC -> VOC;
      case CITYSCAPES -> CITYSCAPES;
      case MASK_PAIRS -> List.of("object");
      case COCO, COCO_PANOPTIC -> throw new IllegalArgumentException(format.cliName() + " takes its classes from its index");
    });
    return out;
  }

  /**
   * The label value of class {@code c} (1..N, as {@link #names} counts) in the label maps of {@code format}: the
   * value itself for ADE20K, VOC and mask pairs, the labelId of train id c - 1 for Cityscapes.
   */
  public static int labelValue(DatasetFormat format, int c) {
    return format == DatasetFormat.CITYSCAPES ? CITYSCAPES_LABEL_IDS[c - 1] : c;
  }

  /**
   * The label values of a label-map format under their lower-case class names, for {@code --select class:NAME}:
   * ADE20K's 150 and VOC's 20 classes by their values 1..N, Cityscapes' every labelId (its label maps' values,
   * which {@code class:ID} takes too), the license plate as 255. Mask pairs have none.
   */
  public static Map<String, List<Long>> labelValuesByName(DatasetFormat format) {
    List<String> names = switch (format) {
      case ADE20K -> ADE20K;
      case VOC -> VOC;
      case CITYSCAPES -> CITYSCAPES_BY_LABEL_ID;
      case MASK_PAIRS -> List.of();
      case COCO, COCO_PANOPTIC -> throw new IllegalArgumentException(format.cliName() + " takes its classes from its index");
    };
    int first = format == DatasetFormat.CITYSCAPES ? 0 : 1;
    Map<String, List<Long>> out = new java.util.HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      out.put(names.get(i), List.of((long) (first + i)));
    }
    if (format == DatasetFormat.CITYSCAPES) {
      out.put("license plate", List.of(255L));
    }
    return out;
  }

  /**
   * The class map of one image, from its annotation raster at the image's size (a mask pair's is its mask:
   * {@link BinaryMaskFile}).
   *
   * @throws InputException as the masks do (missing, invalid, size mismatch), or CLASS_OUT_OF_RANGE for
   *     a label value the format does not have
   */
  public static byte[] read(DatasetFormat format, AnnotationStore store, String annotationPath, int width, int height)
      throws InputException {
    byte[] table = table(format);
    BufferedImage img = AnnotationRasters.read(store, annotationPath, width, height);
    Raster r = img.getRaster();
    if (r.getNumBands() != 1) {
      throw new InputException(ErrorCode.ANNOTATION_INVALID, "label map " + annotationPath + " has " + r.getNumBands()
          + " channels; it must be a single-channel (gray or palette) PNG of label ids");
    }
    byte[] out = new byte[width * height];
    int[] row = new int[width];
    for (int y = 0; y < height; y++) {
      r.getSamples(0, y, width, 1, 0, row);
      for (int x = 0; x < width; x++) {
        int v = row[x];
        byte c = v >= 0 && v < 256 ? table[v] : OUT_OF_RANGE;
        if (c == OUT_OF_RANGE) {
          throw new InputException(ErrorCode.CLASS_OUT_OF_RANGE, "label map " + annotationPath + " has label " + v
              + " at pixel (" + x + ", " + y + "), which " + format.cliName() + " does not have (is this the right --format?)");
        }
        out[y * width + x] = c;
      }
    }
    return out;
  }

  /**
   * The class map of one COCO panoptic image, from its PNG of segment ids at the image's size.
   *
   * @param classOfSegment each listed segment's class (1..254, or {@link #IGNORE} for a crowd segment)
   * @throws InputException as the panoptic masks do (missing, invalid, size mismatch)
   */
  public static byte[] panoptic(AnnotationStore store, String pngPath, int width, int height,
      Map<Integer, Integer> classOfSegment) throws InputException {
    int[] ids = classOfSegment.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
    byte[] classes = new byte[ids.length];
    for (int i = 0; i < ids.length; i++) {
      classes[i] = (byte) (int) classOfSegment.get(ids[i]);
    }
    byte[] out = new byte[width * height];
    PanopticPngMask.mapSegments(store, pngPath, width, height, ids, classes, (byte) 0, out);
    return out;
  }

  private static byte[] table(DatasetFormat format) {
    byte[] t = new byte[256];
    Arrays.fill(t, OUT_OF_RANGE);
    switch (format) {
      case ADE20K -> identity(t, ADE20K.size());
      case VOC -> {
        identity(t, VOC.size());
        t[255] = (byte) IGNORE;
      }
      case CITYSCAPES -> {
        for (int v = 0; v <= 33; v++) {
          t[v] = (byte) IGNORE;
        }
        t[255] = (byte) IGNORE;
        for (int c = 0; c < CITYSCAPES_LABEL_IDS.length; c++) {
          t[CITYSCAPES_LABEL_IDS[c]] = (byte) (c + 1);
        }
      }
      default -> throw new IllegalArgumentException(format.cliName() + " is not a label-map format");
    }
    return t;
  }

  private static void identity(byte[] t, int classes) {
    for (int v = 0; v <= classes; v++) {
      t[v] = (byte) v;
    }
  }
}
