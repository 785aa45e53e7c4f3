package dev.unseg.jobs.evaluate;

import dev.unseg.pipeline.audit.InputException;
import dev.unseg.pipeline.dataset.BinaryMaskFile;
import dev.unseg.pipeline.dataset.CocoAnnotationEntry;
import dev.unseg.pipeline.dataset.CocoCategory;
import dev.unseg.pipeline.dataset.CocoImageEntry;
import dev.unseg.pipeline.dataset.CocoIndexReader;
import dev.unseg.pipeline.dataset.CocoIndexVisitor;
import dev.unseg.pipeline.dataset.CocoSegmentation;
import dev.unseg.pipeline.dataset.InvalidIndexException;
import dev.unseg.pipeline.dataset.LocalAnnotationStore;
import dev.unseg.pipeline.mask.BinaryMask;
import dev.unseg.pipeline.mask.PolygonRasterizer;
import dev.unseg.pipeline.mask.Rle;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The clean dataset as the probe sees it: image paths (relative to the images folder), the class
 * names (0 = background) and, per image, a class map at the image's size (255 = ignore: crowd
 * segments). Local paths; COCO instances (polygons and RLE) or mask pairs (binary only).
 */
final class LabeledDataset {
  static final int IGNORE = 255;
  private final List<String> images;
  private final List<String> classNames;
  private final Labeler labeler;

  private interface Labeler {
    byte[] label(String image, int width, int height) throws InputException;
  }

  private LabeledDataset(List<String> images, List<String> classNames, Labeler labeler) {
    this.images = images;
    this.classNames = classNames;
    this.labeler = labeler;
  }

  List<String> images() {
    return images;
  }

  /** Background first. */
  List<String> classNames() {
    return classNames;
  }

  /** The class map of an image at width x height (row-major). */
  byte[] label(String image, int width, int height) throws InputException {
    return labeler.label(image, width, height);
  }

  static LabeledDataset open(String format, Path images, Path annotations, LabelMode mode) throws IOException {
    return switch (format) {
      case "mask-pairs" -> maskPairs(images, annotations, mode);
      case "coco" -> coco(annotations, mode);
      default -> throw new IllegalArgumentException("--format " + format + ": evaluate reads coco or mask-pairs for now");
    };
  }

  private static LabeledDataset maskPairs(Path images, Path masks, LabelMode mode) throws IOException {
    if (!mode.kind().equals("binary") && !mode.kind().equals("classes")) {
      throw new IllegalArgumentException("--labels " + mode + ": mask pairs have one class (use binary)");
    }
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(images)) {
      files.filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(jpe?g|png|tiff?)"))
          .forEach(p -> out.add(images.relativize(p).toString().replace('\\', '/')));
    }
    out.sort(null);
    LocalAnnotationStore store = new LocalAnnotationStore(masks);
    return new LabeledDataset(out, List.of("background", "object"), (name, w, h) -> {
      int dot = name.lastIndexOf('.');
      BinaryMask mask = new BinaryMaskFile(name.substring(0, dot) + ".png").build(w, h, store);
      byte[] label = new byte[w * h];
      for (int i = 0; i < label.length; i++) {
        label[i] = (byte) (mask.get(i % w, i / w) ? 1 : 0);
      }
      return label;
    });
  }

  private static LabeledDataset coco(Path index, LabelMode mode) throws IOException {
    Map<Long, CocoImageEntry> byId = new LinkedHashMap<>();
    Map<Long, List<CocoAnnotationEntry>> anns = new HashMap<>();
    Map<Long, String> categories = new LinkedHashMap<>();
    try (InputStream in = Files.newInputStream(index)) {
      CocoIndexReader.read(in, index.toString(), new CocoIndexVisitor() {
        @Override
        public void image(CocoImageEntry image) {
          byId.put(image.imageId(), image);
        }

        @Override
        public void annotation(CocoAnnotationEntry a) {
          anns.computeIfAbsent(a.imageId(), k -> new ArrayList<>()).add(a);
        }

        @Override
        public void category(CocoCategory c) {
          categories.put(c.id(), c.name());
        }
      });
    } catch (InvalidIndexException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    // Category id -> probe class (1..K); categories left out map to background.
    Map<Long, Integer> classOf = new HashMap<>();
    List<String> names = new ArrayList<>(List.of("background"));
    if (mode.kind().equals("binary")) {
      categories.keySet().forEach(id -> classOf.put(id, 1));
      names.add("object");
    } else {
      List<Long> ids = new ArrayList<>(categories.keySet());
      ids.sort(null);
      if (mode.kind().equals("top")) {
        Map<Long, Long> count = new HashMap<>();
        anns.values().forEach(l -> l.forEach(a -> count.merge(a.categoryId(), 1L, Long::sum)));
        ids.sort(Comparator.comparing((Long id) -> -count.getOrDefault(id, 0L)).thenComparing(id -> id));
        ids = new ArrayList<>(ids.subList(0, Math.min(mode.k(), ids.size())));
        ids.sort(null);
      }
      for (Long id : ids) {
        classOf.put(id, names.size());
        names.add(categories.get(id));
      }
    }
    if (names.size() > 254) {
      throw new IllegalArgumentException("--labels " + mode + ": " + (names.size() - 1) + " classes; at most 253 (use top:K)");
    }
    Map<String, CocoImageEntry> byName = new LinkedHashMap<>();
    byId.values().forEach(e -> byName.put(e.fileName(), e));
    List<String> list = new ArrayList<>(byName.keySet());
    list.sort(null);
    return new LabeledDataset(list, names, (name, w, h) -> {
      CocoImageEntry e = byName.get(name);
      byte[] label = new byte[w * h];
      for (CocoAnnotationEntry a : anns.getOrDefault(e.imageId(), List.of())) {
        if (a.problem() != null) {
          continue;
        }
        Rle rle = a.segmentation() instanceof CocoSegmentation.Polygons p
            ? PolygonRasterizer.rasterize(p.parts(), e.height(), e.width(), name)
            : Rle.fromString(((CocoSegmentation.RleCounts) a.segmentation()).counts(),
                ((CocoSegmentation.RleCounts) a.segmentation()).height(), ((CocoSegmentation.RleCounts) a.segmentation()).width(), name);
        Integer cls = classOf.get(a.categoryId());
        int value = a.crowd() ? IGNORE : cls == null ? 0 : cls;
        if (value == 0 && !a.crowd()) {
          continue;
        }
        BinaryMask m = rle.decode();
        if (m.width() != e.width() || m.height() != e.height()) {
          throw new IllegalArgumentException(name + ": a segmentation of " + m.width() + "x" + m.height()
              + " on an image the index says is " + e.width() + "x" + e.height());
        }
        // The index's size is the image's; scale the map to the decoded image (nearest) if they differ.
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) {
            if (m.get(x * e.width() / w, y * e.height() / h)) {
              label[y * w + x] = (byte) value;
            }
          }
        }
      }
      return label;
    });
  }
}
