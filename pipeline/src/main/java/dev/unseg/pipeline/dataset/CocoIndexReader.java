package dev.unseg.pipeline.dataset;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import dev.unseg.pipeline.error.ErrorCode;
import dev.unseg.pipeline.error.InputException;
import dev.unseg.pipeline.mask.PolygonRasterizer;
import dev.unseg.pipeline.mask.Rle;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Streams a COCO index (instances, panoptic, or a results list) without building its tree: a
 * train2017 instances file is 450 MB. Top-level keys may come in any order; unknown keys are
 * skipped. A top-level array is read as a list of instance annotations (the results format).
 *
 * <p>Whole-file problems (malformed JSON, an image without id or file_name, an annotation without
 * image_id) throw {@link InvalidIndexException}. A single bad annotation does not: its entry carries
 * the problem, so only its image fails. NaN and Infinity literals (Python's json writes them) are
 * accepted as numbers so that they become such per-annotation problems.
 */
public final class CocoIndexReader {
  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .disable(com.fasterxml.jackson.core.StreamReadFeature.AUTO_CLOSE_SOURCE)
          .build();
  private static final long NONE = Long.MIN_VALUE;

  private final JsonParser p;
  private final String source;
  private final CocoIndexVisitor visitor;
  private long resultIndex;
  private boolean sawImageList;

  private CocoIndexReader(JsonParser p, String source, CocoIndexVisitor visitor) {
    this.p = p;
    this.source = source;
    this.visitor = visitor;
  }

  /**
   * Reads {@code json} (not closed) and calls {@code visitor} for each entry, in file order.
   *
   * @param sourceName the file's name for messages
   * @throws InvalidIndexException malformed JSON or a structure that is not COCO's, with line and column
   * @throws IOException the stream itself failed
   */
  public static void read(InputStream json, String sourceName, CocoIndexVisitor visitor)
      throws IOException, InvalidIndexException {
    parse(json, sourceName, visitor);
  }

  private static CocoIndexReader parse(InputStream json, String sourceName, CocoIndexVisitor visitor)
      throws IOException, InvalidIndexException {
    json = refuseArchive(json, sourceName);
    try (JsonParser parser = FACTORY.createParser(json)) {
      CocoIndexReader reader = new CocoIndexReader(parser, sourceName, visitor);
      reader.readTop();
      return reader;
    } catch (JsonProcessingException e) {
      JsonLocation loc = e.getLocation();
      throw new InvalidIndexException(
          sourceName, loc == null ? -1 : loc.getLineNr(), loc == null ? -1 : loc.getColumnNr(),
          "malformed JSON: " + withoutSource(e.getOriginalMessage()) + "; fix or re-export the file", e);
    }
  }

  /**
   * The index as it is distributed, compressed (COCO's annotations_trainval2017.zip, a .json.gz), is refused
   * with what to do; JSON's parser would only see an illegal character at line 1.
   */
  private static InputStream refuseArchive(InputStream in, String sourceName) throws IOException, InvalidIndexException {
    java.io.BufferedInputStream buffered = new java.io.BufferedInputStream(in);
    buffered.mark(2);
    int b0 = buffered.read();
    int b1 = buffered.read();
    buffered.reset();
    if (b0 == 0x1f && b1 == 0x8b) {
      throw new InvalidIndexException(sourceName, 1, 1, "compressed with gzip, not JSON: decompress it (gunzip) and give"
          + " the .json file", null);
    }
    if (b0 == 'P' && b1 == 'K') {
      throw new InvalidIndexException(sourceName, 1, 1, "a zip archive, not JSON: unzip it and give the .json file"
          + " inside (COCO's annotations_trainval2017.zip holds annotations/instances_val2017.json)", null);
    }
    return buffered;
  }

  /**
   * What a whole index holds, counted in one streaming pass (see {@link #count}).
   *
   * @param usableInstanceAnnotations the instance annotations with a segmentation that parses (not boxes alone)
   * @param firstProblem why the first unusable instance annotation is unusable; null when none is
   * @param categories the index's categories by id (an index has at most a few thousand)
   */
  public record Counts(boolean hasImageList, long images, long instanceAnnotations, long usableInstanceAnnotations,
      String firstProblem, long panopticAnnotations, java.util.SortedMap<Long, String> categories) {}

  /**
   * Streams the whole index once and counts its entries, so that a run can refuse a malformed or
   * empty index, or one of the other COCO kind, before it writes anything.
   */
  public static Counts count(InputStream json, String sourceName) throws IOException, InvalidIndexException {
    long[] n = new long[4];
    String[] firstProblem = {null};
    java.util.SortedMap<Long, String> categories = new java.util.TreeMap<>();
    CocoIndexVisitor counter = new CocoIndexVisitor() {
      @Override
      public void category(CocoCategory category) {
        categories.put(category.id(), category.name());
      }

      @Override
      public void image(CocoImageEntry image) {
        n[0]++;
      }

      @Override
      public void annotation(CocoAnnotationEntry annotation) {
        n[1]++;
        if (annotation.problem() == null) {
          n[2]++;
        } else if (firstProblem[0] == null) {
          firstProblem[0] = annotation.problem().message();
        }
      }

      @Override
      public void panoptic(PanopticEntry entry) {
        n[3]++;
      }
    };
    boolean imageList = parse(json, sourceName, counter).sawImageList;
    return new Counts(imageList, n[0], n[1], n[2], firstProblem[0], n[3], categories);
  }

  /** Jackson names its input's Java class in some messages ("[Source: (FSDataInputStream)..."): not for users. */
  static String withoutSource(String message) {
    return message.replaceAll("\\s*\\(start marker at \\[Source:[^\\]]*\\]\\)", "")
        .replaceAll("\\s*at \\[Source:[^\\]]*\\]", "");
  }

  private void readTop() throws IOException, InvalidIndexException {
    JsonToken t = p.nextToken();
    if (t == JsonToken.START_ARRAY) {
      readArray("the top-level list", this::readAnnotation);
    } else if (t == JsonToken.START_OBJECT) {
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        p.nextToken();
        switch (key) {
          case "images" -> {
            sawImageList = true;
            readArray("'images'", this::readImage);
          }
          case "annotations" -> readArray("'annotations'", this::readAnnotation);
          case "categories" -> readArray("'categories'", this::readCategory);
          default -> p.skipChildren();
        }
      }
    } else {
      throw fail(t == null ? "the file is empty" : "a COCO index must be a JSON object (or a list of annotations), found " + t);
    }
    if (p.nextToken() != null) {
      throw fail("unexpected content after the end of the top-level value");
    }
  }

  private interface ElementReader {
    void read() throws IOException, InvalidIndexException;
  }

  private void readArray(String what, ElementReader element) throws IOException, InvalidIndexException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw fail(what + " must be a list, found " + p.currentToken());
    }
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t != JsonToken.START_OBJECT) {
        throw fail("every element of " + what + " must be an object, found " + t);
      }
      element.read();
    }
  }

  private void readImage() throws IOException, InvalidIndexException {
    long id = NONE;
    String fileName = null;
    String cocoUrl = null;
    long width = 0;
    long height = 0;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      JsonToken t = p.nextToken();
      switch (key) {
        case "id" -> id = integer(t);
        case "file_name" -> fileName = t == JsonToken.VALUE_STRING ? p.getText() : null;
        case "coco_url" -> cocoUrl = t == JsonToken.VALUE_STRING ? p.getText() : null;
        case "width" -> width = integer(t);
        case "height" -> height = integer(t);
        default -> p.skipChildren();
      }
    }
    if (fileName == null && cocoUrl != null) {
      fileName = lvisFileName(cocoUrl);
    }
    if (id == NONE || fileName == null) {
      throw fail("an image entry " + (id == NONE ? "has no integer 'id'"
          : "(id " + id + ") has no string 'file_name' (nor, as LVIS's have, a 'coco_url')"));
    }
    if (width < 0 || height < 0 || width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
      throw fail("image " + id + " ('" + fileName + "') has an impossible size " + width + "x" + height);
    }
    visitor.image(new CocoImageEntry(id, fileName, (int) Math.max(0, width), (int) Math.max(0, height)));
  }

  /**
   * An LVIS image's path: LVIS names its images by their COCO URL only ({@code
   * http://images.cocodataset.org/train2017/000000391895.jpg}), and takes them from both of COCO 2017's folders, so
   * the path is the URL's last two segments ({@code train2017/000000391895.jpg}), under the folder that holds
   * COCO's train2017/ and val2017/.
   */
  static String lvisFileName(String cocoUrl) {
    String path = cocoUrl.replaceFirst("^[a-zA-Z][a-zA-Z0-9+.-]*://[^/]*", "").replaceFirst("[?#].*$", "");
    String[] parts = path.split("/");
    int n = parts.length;
    if (n == 0 || parts[n - 1].isEmpty()) {
      return null;
    }
    return n >= 2 && !parts[n - 2].isEmpty() ? parts[n - 2] + "/" + parts[n - 1] : parts[n - 1];
  }

  private void readCategory() throws IOException, InvalidIndexException {
    long id = NONE;
    String name = null;
    Boolean isThing = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      JsonToken t = p.nextToken();
      switch (key) {
        case "id" -> id = integer(t);
        case "name" -> name = t == JsonToken.VALUE_STRING ? p.getText() : null;
        case "isthing" -> isThing = t == JsonToken.VALUE_TRUE || (t == JsonToken.VALUE_NUMBER_INT && p.getLongValue() != 0);
        default -> p.skipChildren();
      }
    }
    if (id == NONE) {
      throw fail("a category entry" + (name == null ? "" : " ('" + name + "')") + " has no integer 'id'");
    }
    visitor.category(new CocoCategory(id, name, isThing));
  }

  /** Collects one annotation object whatever its key order, then decides instance or panoptic. */
  private void readAnnotation() throws IOException, InvalidIndexException {
    long id = NONE;
    long imageId = NONE;
    long categoryId = NONE;
    boolean crowd = false;
    String fileName = null;
    List<PanopticEntry.Segment> segments = null;
    CocoSegmentation segmentation = null;
    boolean hasSegmentation = false;
    Problem problem = new Problem();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      JsonToken t = p.nextToken();
      switch (key) {
        case "id" -> id = integer(t);
        case "image_id" -> imageId = integer(t);
        case "category_id" -> categoryId = integer(t);
        case "iscrowd" -> crowd = flag(t);
        case "file_name" -> fileName = t == JsonToken.VALUE_STRING ? p.getText() : null;
        case "segmentation" -> {
          hasSegmentation = true;
          segmentation = readSegmentation(t, problem);
        }
        case "segments_info" -> segments = readSegmentsInfo(t, problem);
        default -> p.skipChildren();
      }
    }
    if (imageId == NONE) {
      throw fail("annotation " + (id == NONE ? "(no id)" : String.valueOf(id)) + " has no integer 'image_id', so no image can be given its failure");
    }
    if (id == NONE && segments == null) {
      id = resultIndex; // results lists have no ids: number them in file order
    }
    resultIndex++;
    if (segments != null) {
      if (fileName == null) {
        problem.set(ErrorCode.ANNOTATION_INVALID, "has no string 'file_name' naming its panoptic PNG");
      }
      visitor.panoptic(new PanopticEntry(imageId, fileName, segments,
          problem.rejection(source + ": panoptic annotation of image " + imageId)));
      return;
    }
    if (!hasSegmentation) {
      problem.set(ErrorCode.ANNOTATION_INVALID, "has no 'segmentation' (nor 'segments_info')");
    }
    if (categoryId == NONE) {
      problem.set(ErrorCode.ANNOTATION_INVALID, "has no integer 'category_id'");
    }
    ImageTask.Rejection rejection = problem.rejection(source + ": annotation " + id + " of image " + imageId);
    visitor.annotation(new CocoAnnotationEntry(id, imageId, categoryId, crowd, rejection == null ? segmentation : null, rejection));
  }

  private CocoSegmentation readSegmentation(JsonToken t, Problem problem) throws IOException {
    if (t == JsonToken.START_OBJECT) {
      return readRle(problem);
    }
    if (t != JsonToken.START_ARRAY) {
      p.skipChildren();
      problem.set(ErrorCode.ANNOTATION_INVALID, "has a 'segmentation' that is neither polygons nor an RLE object");
      return null;
    }
    List<double[]> parts = new ArrayList<>();
    JsonToken e = p.nextToken();
    if (e.isNumeric()) { // a flat list: one polygon
      parts.add(readNumbers(problem));
    } else {
      for (; e != JsonToken.END_ARRAY; e = p.nextToken()) {
        if (e != JsonToken.START_ARRAY) {
          p.skipChildren();
          problem.set(ErrorCode.POLYGON_INVALID, "has a polygon part that is not a list of numbers");
          continue;
        }
        p.nextToken();
        parts.add(readNumbers(problem));
      }
    }
    if (parts.isEmpty()) {
      problem.set(ErrorCode.POLYGON_INVALID, "has an empty polygon list");
    }
    for (int i = 0; i < parts.size(); i++) {
      String why = PolygonRasterizer.problem(parts.get(i));
      if (why != null) {
        problem.set(ErrorCode.POLYGON_INVALID, "polygon part #" + i + " " + why);
      }
    }
    return new CocoSegmentation.Polygons(parts.toArray(new double[0][]));
  }

  /** Reads numbers from the current token up to the closing ']' of the current list. */
  private double[] readNumbers(Problem problem) throws IOException {
    double[] buf = new double[16];
    int n = 0;
    for (JsonToken t = p.currentToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (!t.isNumeric()) {
        p.skipChildren();
        problem.set(ErrorCode.POLYGON_INVALID, "has a polygon coordinate that is not a number (" + t + ")");
        continue;
      }
      if (n == buf.length) {
        buf = Arrays.copyOf(buf, n * 2);
      }
      buf[n++] = p.getDoubleValue();
    }
    return Arrays.copyOf(buf, n);
  }

  private CocoSegmentation readRle(Problem problem) throws IOException {
    String countsString = null;
    int[] countsList = null;
    long h = NONE;
    long w = NONE;
    boolean countsBad = false;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      JsonToken t = p.nextToken();
      if (key.equals("counts") && t == JsonToken.VALUE_STRING) {
        countsString = p.getText();
      } else if (key.equals("counts") && t == JsonToken.START_ARRAY) {
        countsList = readCounts();
        countsBad = countsList == null;
      } else if (key.equals("size") && t == JsonToken.START_ARRAY) {
        long[] size = {NONE, NONE};
        int i = 0;
        for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken(), i++) {
          long v = integer(e);
          if (i < 2) {
            size[i] = v;
          }
        }
        if (i == 2) {
          h = size[0];
          w = size[1];
        }
      } else {
        countsBad |= key.equals("counts");
        p.skipChildren();
      }
    }
    if (h == NONE || w == NONE || h <= 0 || w <= 0 || h > Integer.MAX_VALUE || w > Integer.MAX_VALUE) {
      problem.set(ErrorCode.RLE_INVALID, "has an RLE without a valid 'size' [height, width]");
      return null;
    }
    if (countsBad || (countsString == null && countsList == null)) {
      problem.set(ErrorCode.RLE_INVALID, "has an RLE whose 'counts' is neither a string nor a list of non-negative integers");
      return null;
    }
    try {
      Rle rle = countsString != null
          ? Rle.fromString(countsString, (int) h, (int) w, "RLE")
          : Rle.of((int) h, (int) w, countsList, "RLE");
      // keep the original string (no re-encoding work); list counts become the compact string
      return new CocoSegmentation.RleCounts((int) h, (int) w, countsString != null ? countsString : rle.toCompressedString());
    } catch (InputException e) {
      problem.set(e.code(), "has an invalid " + e.getMessage());
      return null;
    }
  }

  /** Uncompressed counts; null when an element is not a non-negative int. */
  private int[] readCounts() throws IOException {
    int[] buf = new int[64];
    int n = 0;
    boolean ok = true;
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      long v = integer(t);
      if (v < 0 || v > Integer.MAX_VALUE) {
        ok = false;
        p.skipChildren();
        continue;
      }
      if (n == buf.length) {
        buf = Arrays.copyOf(buf, n * 2);
      }
      buf[n++] = (int) v;
    }
    return ok ? Arrays.copyOf(buf, n) : null;
  }

  private List<PanopticEntry.Segment> readSegmentsInfo(JsonToken t, Problem problem) throws IOException {
    List<PanopticEntry.Segment> segments = new ArrayList<>();
    if (t != JsonToken.START_ARRAY) {
      p.skipChildren();
      problem.set(ErrorCode.ANNOTATION_INVALID, "has a 'segments_info' that is not a list");
      return segments;
    }
    for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
      if (e != JsonToken.START_OBJECT) {
        p.skipChildren();
        problem.set(ErrorCode.ANNOTATION_INVALID, "has a segments_info element that is not an object");
        continue;
      }
      long id = NONE;
      long category = NONE;
      boolean crowd = false;
      long area = 0;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        JsonToken v = p.nextToken();
        switch (key) {
          case "id" -> id = integer(v);
          case "category_id" -> category = integer(v);
          case "iscrowd" -> crowd = flag(v);
          case "area" -> area = Math.max(0, integer(v));
          default -> p.skipChildren();
        }
      }
      if (id == NONE || category == NONE || id < 0 || id >= (1 << 24)) {
        problem.set(ErrorCode.ANNOTATION_INVALID,
            "has a segments_info element without an 'id' in 0..16777215 (R + 256 G + 65536 B) and a 'category_id'");
        continue;
      }
      segments.add(new PanopticEntry.Segment(id, category, crowd, area));
    }
    return segments;
  }

  /** An integral number token as a long (1.0 counts), else NONE; skips non-scalar values. */
  private long integer(JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_NUMBER_INT) {
      return p.getLongValue();
    }
    if (t == JsonToken.VALUE_NUMBER_FLOAT) {
      double d = p.getDoubleValue();
      return d == Math.rint(d) && Math.abs(d) < 9.0e15 ? (long) d : NONE;
    }
    p.skipChildren();
    return NONE;
  }

  private boolean flag(JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_TRUE) {
      return true;
    }
    long v = integer(t);
    return v != NONE && v != 0;
  }

  private InvalidIndexException fail(String problem) {
    JsonLocation loc = p.currentLocation();
    return new InvalidIndexException(source, loc.getLineNr(), loc.getColumnNr(), problem, null);
  }

  /** The first problem seen in one annotation (later ones are usually consequences). */
  private static final class Problem {
    private ErrorCode code;
    private String detail;

    void set(ErrorCode c, String d) {
      if (code == null) {
        code = c;
        detail = d;
      }
    }

    ImageTask.Rejection rejection(String who) {
      return code == null ? null : new ImageTask.Rejection(code, who + " " + detail);
    }
  }
}
