package dev.unseg.jobs.evaluate;

import dev.unseg.jobs.config.RunSpec;
import dev.unseg.jobs.io.FolderStore;
import dev.unseg.jobs.io.Locations;
import dev.unseg.jobs.io.Storage;
import dev.unseg.jobs.plan.TaskPlanner;
import dev.unseg.pipeline.dataset.ClassLabels;
import dev.unseg.pipeline.dataset.CocoAnnotationEntry;
import dev.unseg.pipeline.dataset.CocoCategory;
import dev.unseg.pipeline.dataset.CocoImageEntry;
import dev.unseg.pipeline.dataset.CocoIndexReader;
import dev.unseg.pipeline.dataset.CocoIndexVisitor;
import dev.unseg.pipeline.dataset.CocoTasks;
import dev.unseg.pipeline.dataset.CocoSegmentation;
import dev.unseg.pipeline.dataset.DatasetFormat;
import dev.unseg.pipeline.dataset.ImageTask;
import dev.unseg.pipeline.dataset.LabelMapLayout;
import dev.unseg.pipeline.dataset.PanopticEntry;
import dev.unseg.pipeline.dataset.Selection;
import dev.unseg.pipeline.error.ErrorCode;
import dev.unseg.pipeline.error.InputException;
import dev.unseg.pipeline.error.UserError;
import dev.unseg.pipeline.mask.BinaryMask;
import dev.unseg.pipeline.mask.PolygonRasterizer;
import dev.unseg.pipeline.mask.Rle;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import org.apache.hadoop.conf.Configuration;

/**
 * The clean dataset as the probe sees it, read through the same readers and storage as protect: the
 * images evaluate uses (a seeded sample, whatever the dataset's size), the class names (background
 * first) and each image's class map at its own size ({@link ClassLabels#IGNORE} for crowd or void
 * pixels). COCO instances and panoptic take their classes from the index; ADE20K, VOC, Cityscapes and
 * mask pairs from {@link ClassLabels}.
 */
public final class LabeledDataset {
  public static final int IGNORE = ClassLabels.IGNORE;
  private final List<String> images;
  private final List<String> classNames;
  private final boolean[] selected;
  private final FolderStore imageStore;
  private final Labeler labeler;

  private interface Labeler {
    byte[] label(String image, int width, int height) throws InputException;
  }

  private LabeledDataset(List<String> images, List<String> classNames, boolean[] selected, FolderStore imageStore,
      Labeler labeler) {
    this.images = images;
    this.classNames = classNames;
    this.selected = selected;
    this.imageStore = imageStore;
    this.labeler = labeler;
  }

  /** The sampled images, relative to the images root, in the seed's order: the first ones are the test set. */
  public List<String> images() {
    return images;
  }

  /** Background first; a class map's value is an index into this list. */
  public List<String> classNames() {
    return classNames;
  }

  /**
   * Which classes the run's selection put into its masks, by class-map value (background first, false): the
   * classes the probe learns; the others are background to it, as they were to protect.
   */
  public boolean[] selectedClasses() {
    return selected.clone();
  }

  /** The class map of an image at width x height (row-major). */
  public byte[] label(String image, int width, int height) throws InputException {
    return labeler.label(image, width, height);
  }

  /** The union of the labelled objects of a class map at width x height: what protect's prompt is made from. */
  public static BinaryMask unionMask(byte[] classMap, int width, int height) {
    byte[] mask = new byte[classMap.length];
    for (int i = 0; i < classMap.length; i++) {
      int l = classMap[i] & 255;
      mask[i] = (byte) (l != 0 && l != IGNORE ? 1 : 0);
    }
    return new BinaryMask(width, height, mask);
  }

  /** An image's bytes, refused above maxBytes. */
  public byte[] read(String image, long maxBytes) throws IOException {
    return imageStore.read(image, maxBytes);
  }

  /**
   * Opens the dataset and picks {@code count} of its images by seed: those whose hash of (seed, path)
   * is smallest, so the pick depends only on the seed and the names, never on listing order, and takes
   * memory for {@code count} names however large the dataset is.
   */
  public static LabeledDataset open(DatasetSource src, Configuration conf, long seed, int count) throws IOException {
    URI imagesRoot = Locations.directory(Locations.qualify(src.images()));
    URI annotations = Locations.qualify(src.annotations());
    requireExisting(imagesRoot, conf, "--images", "the folder of the dataset's images");
    requireExisting(annotations, conf, "--annotations", src.format() == DatasetFormat.COCO
        || src.format() == DatasetFormat.COCO_PANOPTIC ? "the dataset's index JSON" : "the folder of its annotations");
    FolderStore images = new FolderStore(imagesRoot, Storage.of(imagesRoot, conf));
    return switch (src.format()) {
      case COCO -> coco(images, Storage.of(annotations, conf), annotations, src.selection(), seed, count, null);
      case COCO_PANOPTIC -> {
        URI pngs = RunSpec.panopticFolder(annotations, src.panopticMasks());
        yield coco(images, Storage.of(annotations, conf), annotations, src.selection(), seed, count,
            new FolderStore(pngs, Storage.of(pngs, conf)));
      }
      default -> labelMaps(src, imagesRoot, images, new FolderStore(Locations.directory(annotations), Storage.of(annotations, conf)),
          conf, seed, count);
    };
  }

  /** A start that names the missing input and the flag that fixes it, before anything is trained. */
  private static void requireExisting(URI location, Configuration conf, String flag, String what) throws IOException {
    if (!Storage.of(location, conf).exists(new org.apache.hadoop.fs.Path(location))) {
      throw new UserError(location + " does not exist: give " + flag + " " + what);
    }
  }

  private static LabeledDataset labelMaps(DatasetSource src, URI imagesRoot, FolderStore images, FolderStore annotations,
      Configuration conf, long seed, int count) throws IOException {
    LabelMapLayout layout;
    try {
      layout = LabelMapLayout.forFormat(src.format(), src.selection(), src.maskName());
    } catch (IllegalArgumentException e) {
      throw new UserError("the run's selection (--select) does not apply to --format " + src.format().cliName() + ": "
          + e.getMessage() + "; evaluate the run's dataset with its own format");
    }
    Sampler<String> pick = new Sampler<>(seed, count);
    Storage.Visitor offer = rel -> {
      if (layout.isImage(rel)) {
        pick.offer(rel, rel);
      }
    };
    if (src.imageList().isEmpty()) {
      images.storage().walk(imagesRoot, offer);
    } else {
      TaskPlanner.readImageList(src.imageList(), src.format(), conf, offer::file);
    }
    DatasetFormat f = src.format();
    List<String> names = ClassLabels.names(f);
    boolean[] selected = new boolean[names.size()];
    for (int c = 1; c < names.size(); c++) {
      selected[c] = layout.selects(ClassLabels.labelValue(f, c));
    }
    if (f == DatasetFormat.MASK_PAIRS) {
      // The object is the mask protect made, of the values the run selected where it selected some.
      return new LabeledDataset(pick.names(), names, selected, images, (name, w, h) -> {
        ImageTask task = layout.task(name);
        if (task.rejection() != null) {
          throw new InputException(task.rejection().code(), task.rejection().message());
        }
        byte[] object = task.mask().build(w, h, annotations).pixels().clone();
        for (int i = 0; i < object.length; i++) {
          object[i] = (byte) (object[i] != 0 ? 1 : 0);
        }
        return object;
      });
    }
    return new LabeledDataset(pick.names(), names, selected, images,
        (name, w, h) -> ClassLabels.read(f, annotations, layout.annotationPathFor(name), w, h));
  }

  /** @param panopticPngs the folder of the panoptic PNGs for a panoptic index, null for an instances index */
  private static LabeledDataset coco(FolderStore images, Storage storage, URI index, Selection selection, long seed,
      int count, FolderStore panopticPngs) throws IOException {
    Map<Long, CocoCategory> categories = new HashMap<>();
    Sampler<CocoImageEntry> pick = new Sampler<>(seed, count);
    // Two passes over the index: the images and classes, then the annotations of the picked images only.
    scan(storage, index, new CocoIndexVisitor() {
      @Override
      public void image(CocoImageEntry image) {
        pick.offer(image.fileName(), image);
      }

      @Override
      public void category(CocoCategory c) {
        categories.put(c.id(), c);
      }
    });
    List<Long> ids = new ArrayList<>(categories.keySet());
    ids.sort(null);
    if (ids.size() > 254) {
      // A class map holds 254 classes: of a larger index (LVIS has 1,203), those the run selected, the others
      // background to the probe as they are anyway.
      List<Long> chosen = ids.stream().filter(id -> CocoTasks.selected(selection, categories.get(id), false)).toList();
      if (chosen.size() > 254) {
        throw new UserError(index + " has " + ids.size() + " categories and the run selected " + chosen.size()
            + "; evaluate learns at most 254 classes: evaluate a run that protected fewer (protect --select"
            + " classes:NAME,...), or an index of fewer categories");
      }
      ids = new ArrayList<>(chosen);
    }
    Map<Long, Integer> classOf = new HashMap<>();
    List<String> names = new ArrayList<>(List.of("background"));
    boolean[] selected = new boolean[ids.size() + 1];
    for (Long id : ids) {
      selected[names.size()] = CocoTasks.selected(selection, categories.get(id), false);
      classOf.put(id, names.size());
      names.add(categories.get(id).name());
    }
    Map<Long, CocoImageEntry> picked = new HashMap<>();
    Map<String, CocoImageEntry> byName = new HashMap<>();
    pick.values().forEach(e -> {
      picked.put(e.imageId(), e);
      byName.put(e.fileName(), e);
    });
    Map<Long, List<CocoAnnotationEntry>> anns = new HashMap<>();
    Map<Long, PanopticEntry> panoptic = new HashMap<>();
    scan(storage, index, new CocoIndexVisitor() {
      @Override
      public void annotation(CocoAnnotationEntry a) {
        if (picked.containsKey(a.imageId())) {
          anns.computeIfAbsent(a.imageId(), k -> new ArrayList<>()).add(a);
        }
      }

      @Override
      public void panoptic(PanopticEntry p) {
        if (picked.containsKey(p.imageId())) {
          panoptic.put(p.imageId(), p);
        }
      }
    });
    if (panopticPngs != null) {
      return new LabeledDataset(pick.names(), names, selected, images,
          (name, w, h) -> panopticLabel(byName.get(name), panoptic.get(byName.get(name).imageId()), classOf, panopticPngs, w, h));
    }
    return new LabeledDataset(pick.names(), names, selected, images, (name, w, h) -> {
      CocoImageEntry e = byName.get(name);
      byte[] label = new byte[w * h];
      for (CocoAnnotationEntry a : anns.getOrDefault(e.imageId(), List.of())) {
        Integer cls = classOf.get(a.categoryId());
        if (a.problem() != null || (cls == null && !a.crowd())) {
          continue;
        }
        Rle rle = a.segmentation() instanceof CocoSegmentation.Polygons p
            ? PolygonRasterizer.rasterize(p.parts(), e.height(), e.width(), name)
            : rle((CocoSegmentation.RleCounts) a.segmentation(), name);
        BinaryMask m = rle.decode();
        if (m.width() != e.width() || m.height() != e.height()) {
          throw new InputException(ErrorCode.MASK_SIZE_MISMATCH, name + ": a segmentation of "
              + m.width() + "x" + m.height() + " on an image the index says is " + e.width() + "x" + e.height());
        }
        byte value = (byte) (a.crowd() ? IGNORE : cls);
        // The index's size is the image's; scale the map to the decoded image (nearest) if they differ.
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) {
            if (m.get(x * e.width() / w, y * e.height() / h)) {
              label[y * w + x] = value;
            }
          }
        }
      }
      return label;
    });
  }

  /** A panoptic image's class map: its PNG's segments by their categories, crowd segments ignored. */
  private static byte[] panopticLabel(CocoImageEntry image, PanopticEntry entry, Map<Long, Integer> classOf,
      FolderStore pngs, int w, int h) throws InputException {
    if (entry == null) {
      throw new InputException(ErrorCode.ANNOTATION_MISSING, image.fileName() + ": the panoptic index has no annotation"
          + " for image " + image.imageId());
    }
    if (entry.problem() != null) {
      throw new InputException(entry.problem().code(), entry.problem().message());
    }
    Map<Integer, Integer> classOfSegment = new HashMap<>();
    for (PanopticEntry.Segment seg : entry.segments()) {
      Integer cls = classOf.get(seg.categoryId());
      if (seg.crowd() || cls != null) {
        classOfSegment.put((int) seg.id(), seg.crowd() ? IGNORE : cls);
      }
    }
    return ClassLabels.panoptic(pngs, entry.fileName(), w, h, classOfSegment);
  }

  private static Rle rle(CocoSegmentation.RleCounts r, String name) throws InputException {
    return Rle.fromString(r.counts(), r.height(), r.width(), name);
  }

  private static void scan(Storage storage, URI index, CocoIndexVisitor visitor) throws IOException {
    try (InputStream in = storage.open(new org.apache.hadoop.fs.Path(index))) {
      CocoIndexReader.read(in, index.toString(), visitor);
    }
  }

  /**
   * Keeps the count entries of smallest hash(seed, name); a name offered twice (a duplicate in an index)
   * is kept once.
   */
  private static final class Sampler<T> {
    private record Entry<T>(long hash, String name, T value) {}

    private final Comparator<Entry<T>> order = Comparator.<Entry<T>>comparingLong(Entry::hash).thenComparing(Entry::name);
    private final PriorityQueue<Entry<T>> largestFirst = new PriorityQueue<>(order.reversed());
    private final java.util.Set<String> kept = new java.util.HashSet<>();
    private final long seed;
    private final int count;

    Sampler(long seed, int count) {
      this.seed = seed;
      this.count = count;
    }

    void offer(String name, T value) {
      if (kept.contains(name)) {
        return;
      }
      Entry<T> e = new Entry<>(hash(name), name, value);
      if (largestFirst.size() == count) {
        if (order.compare(e, largestFirst.peek()) >= 0) {
          return;
        }
        kept.remove(largestFirst.poll().name());
      }
      largestFirst.add(e);
      kept.add(name);
    }

    private List<Entry<T>> sorted() {
      return largestFirst.stream().sorted(order).toList();
    }

    List<String> names() {
      return sorted().stream().map(Entry::name).toList();
    }

    List<T> values() {
      return sorted().stream().map(Entry::value).toList();
    }

    private long hash(String name) {
      try {
        byte[] d = MessageDigest.getInstance("SHA-256").digest((seed + "/" + name).getBytes(StandardCharsets.UTF_8));
        long h = 0;
        for (int i = 0; i < 8; i++) {
          h = (h << 8) | (d[i] & 255);
        }
        return h;
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
