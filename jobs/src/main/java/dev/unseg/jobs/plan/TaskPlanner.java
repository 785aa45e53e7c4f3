package dev.unseg.jobs.plan;

import dev.unseg.jobs.config.RunSpec;
import dev.unseg.jobs.io.Locations;
import dev.unseg.jobs.io.SerializableHadoopConf;
import dev.unseg.jobs.io.Storage;
import dev.unseg.pipeline.dataset.CocoAnnotationEntry;
import dev.unseg.pipeline.dataset.CocoCategory;
import dev.unseg.pipeline.dataset.CocoImageEntry;
import dev.unseg.pipeline.dataset.CocoIndexReader;
import dev.unseg.pipeline.dataset.CocoIndexVisitor;
import dev.unseg.pipeline.dataset.CocoTasks;
import dev.unseg.pipeline.dataset.DatasetFormat;
import dev.unseg.pipeline.dataset.ImageList;
import dev.unseg.pipeline.dataset.ImageTask;
import dev.unseg.pipeline.dataset.InvalidIndexException;
import dev.unseg.pipeline.dataset.LabelMapLayout;
import dev.unseg.pipeline.dataset.PanopticEntry;
import dev.unseg.pipeline.dataset.Selection;
import dev.unseg.pipeline.error.ErrorCode;
import dev.unseg.pipeline.image.ImageFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.Path;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.LongAccumulator;
import scala.Tuple2;

/**
 * Turns a dataset's index into the partitioned tasks of a run, with bounded driver memory: the
 * driver streams the index (COCO JSON, or a listing of the images root) into spill chunks, and
 * Spark groups and partitions them. COCO's JSON already names every image, so the images root
 * is never listed for COCO.
 */
public final class TaskPlanner {
  /** Objects per spill chunk: a few MB each. */
  public static final int CHUNK_SIZE = 20_000;
  private static final Set<String> OTHER_IMAGE_EXTENSIONS = Set.of("bmp", "gif", "webp", "jp2", "heic", "heif", "avif", "ppm", "pgm");

  private final JavaSparkContext sc;
  private final DatasetFormat format;
  private final Selection selection;
  private final String maskName;
  private final String imageList;
  private final int partitionSize;
  private final int partitionCount;
  private final Locations locations;
  private final SerializableHadoopConf hadoopConf;
  private final Path planDir;

  /**
   * @param partitionSize images per partition ({@code unseg.partitions.size})
   * @param partitionCount partitions, overriding the size when above 0 ({@code unseg.partitions.count})
   */
  public TaskPlanner(JavaSparkContext sc, RunSpec spec, int partitionSize, int partitionCount, Locations locations,
      SerializableHadoopConf hadoopConf, Path planDir) {
    this.sc = sc;
    this.format = spec.datasetFormat();
    this.selection = spec.segmentSelection();
    this.maskName = spec.maskName();
    this.imageList = spec.imageList();
    this.partitionSize = partitionSize;
    this.partitionCount = partitionCount;
    this.locations = locations;
    this.hadoopConf = hadoopConf;
    this.planDir = planDir;
  }

  /**
   * The run's tasks and their count.
   *
   * @param entries dataset entries (each gets exactly one manifest row)
   * @param notImages files under the images root that are not images of this format (and dot files),
   *     left out of the run and counted in the summary
   * @param firstNotImage the first of them that is not a dot file, or null
   * @param sidecars GDAL's pixel-free sidecars under the images root ({@link GdalSidecars}), relative to it, in spill
   *     chunks; not counted in {@code notImages}. None for COCO and image lists, whose images root is not listed
   * @param orphanAnnotations annotations naming an image id the index does not have (counted once the job ran)
   */
  public record Plan(JavaRDD<ImageTask> tasks, long entries, long notImages, String firstNotImage, Sidecars sidecars,
      LongAccumulator orphanAnnotations) {}

  /** Files in spill chunks: how many, the first, and the chunks. */
  public record Sidecars(long count, String first, List<String> chunks) {
    static final Sidecars NONE = new Sidecars(0, null, List.of());
  }

  public Plan plan() throws IOException, InvalidIndexException {
    Storage fs = Storage.of(planDir.toUri(), hadoopConf.get());
    LongAccumulator orphans = sc.sc().longAccumulator("unseg.orphanAnnotations");
    return switch (format) {
      case COCO, COCO_PANOPTIC -> planCoco(fs, orphans);
      default -> planListing(fs, orphans);
    };
  }

  private Plan planListing(Storage planFs, LongAccumulator orphans) throws IOException {
    LabelMapLayout layout = LabelMapLayout.forFormat(format, selection, maskName);
    URI root = locations.images();
    Storage fs = Storage.of(root, hadoopConf.get());
    try (ChunkSpill<ImageTask> spill = new ChunkSpill<>(planFs, planDir, "tasks", CHUNK_SIZE);
        ChunkSpill<String> sidecars = new ChunkSpill<>(planFs, planDir, "sidecars", CHUNK_SIZE)) {
      if (!imageList.isEmpty()) {
        // The list names the run's images: the root is not listed, and every entry gets its row.
        readImageList(imageList, format, hadoopConf.get(), rel -> spill.add(layout.isImage(rel) ? layout.task(rel)
            : ImageTask.rejected(rel, ErrorCode.IMAGE_UNSUPPORTED, "'" + rel + "' in --image-list " + imageList + " is not a "
                + format.cliName() + " image (" + layout.imageNames() + "); list image paths relative to --images")));
        return new Plan(partition(readChunks(spill.chunks()), spill.total()), spill.total(), 0, null, Sidecars.NONE, orphans);
      }
      long[] skipped = {0};
      String[] firstSkipped = {null};
      String[] firstSidecar = {null};
      fs.walk(root, rel -> {
        if (hidden(rel)) {
          skipped[0]++;
        } else if (layout.isImage(rel)) {
          spill.add(layout.task(rel));
        } else if (GdalSidecars.pixelFree(rel)) {
          sidecars.add(rel);
          firstSidecar[0] = firstSidecar[0] == null ? rel : firstSidecar[0];
        } else if (OTHER_IMAGE_EXTENSIONS.contains(extension(rel))) {
          // An image the format does not take: never released unprotected, never silently dropped.
          spill.add(ImageTask.rejected(rel, ErrorCode.IMAGE_UNSUPPORTED, rel + " is a " + extension(rel)
              + " file; this product reads JPEG, PNG and TIFF. Convert it, or move it out of the images root."));
        } else {
          skipped[0]++;
          firstSkipped[0] = firstSkipped[0] == null ? rel : firstSkipped[0];
        }
      });
      sidecars.close();
      JavaRDD<ImageTask> tasks = readChunks(spill.chunks());
      return new Plan(partition(tasks, spill.total()), spill.total(), skipped[0], firstSkipped[0],
          new Sidecars(sidecars.total(), firstSidecar[0], sidecars.chunks()), orphans);
    }
  }

  private Plan planCoco(Storage planFs, LongAccumulator orphans) throws IOException, InvalidIndexException {
    boolean panoptic = format == DatasetFormat.COCO_PANOPTIC;
    Map<Long, CocoCategory> categories = new HashMap<>();
    URI index = locations.annotations();
    try (ChunkSpill<CocoImageEntry> images = new ChunkSpill<>(planFs, planDir, "images", CHUNK_SIZE);
        ChunkSpill<Serializable> annotations = new ChunkSpill<>(planFs, planDir, "annotations", CHUNK_SIZE);
        InputStream in = Storage.of(index, hadoopConf.get()).open(new Path(index))) {
      CocoIndexReader.read(in, index.toString(), new CocoIndexVisitor() {
        @Override
        public void image(CocoImageEntry image) {
          spill(images, image);
        }

        @Override
        public void annotation(CocoAnnotationEntry annotation) {
          spill(annotations, annotation);
        }

        @Override
        public void panoptic(PanopticEntry entry) {
          spill(annotations, entry);
        }

        @Override
        public void category(CocoCategory category) {
          categories.put(category.id(), category);
        }
      });
      images.close();
      annotations.close();
      Broadcast<Map<Long, CocoCategory>> cats = sc.broadcast(categories);
      JavaPairRDD<Long, CocoImageEntry> byId = readChunks(images.chunks())
          .mapToPair(e -> new Tuple2<>(((CocoImageEntry) e).imageId(), (CocoImageEntry) e));
      JavaPairRDD<Long, Serializable> annById = readChunks(annotations.chunks())
          .mapToPair(e -> new Tuple2<>(imageIdOf(e), (Serializable) e));
      int n = partitions(images.total());
      Selection selection = this.selection; // the task closure must not capture the planner (it holds the SparkContext)
      JavaRDD<ImageTask> tasks = byId.cogroup(annById, n).flatMap(group -> {
        List<Serializable> anns = new ArrayList<>();
        group._2()._2().forEach(anns::add);
        List<ImageTask> out = new ArrayList<>();
        if (!group._2()._1().iterator().hasNext()) {
          orphans.add(anns.size());
        }
        for (CocoImageEntry image : group._2()._1()) {
          out.add(panoptic ? panopticTask(image, anns, cats.value(), selection) : instancesTask(image, anns, cats.value(), selection));
        }
        return out.iterator();
      });
      return new Plan(partition(tasks, images.total()), images.total(), 0, null, Sidecars.NONE, orphans);
    }
  }

  private static ImageTask instancesTask(CocoImageEntry image, List<Serializable> anns, Map<Long, CocoCategory> cats, Selection s) {
    List<CocoAnnotationEntry> list = new ArrayList<>(anns.size());
    for (Serializable a : anns) {
      list.add((CocoAnnotationEntry) a);
    }
    return CocoTasks.instancesTask(image, list, cats, s);
  }

  private static ImageTask panopticTask(CocoImageEntry image, List<Serializable> anns, Map<Long, CocoCategory> cats, Selection s) {
    if (anns.size() > 1) {
      return ImageTask.rejected(image.fileName(), ErrorCode.ANNOTATION_INVALID, "image id " + image.imageId() + " ("
          + image.fileName() + ") has " + anns.size() + " panoptic annotations; COCO panoptic allows exactly one");
    }
    return CocoTasks.panopticTask(image, anns.isEmpty() ? null : (PanopticEntry) anns.get(0), cats, s, "");
  }

  private static long imageIdOf(Object entry) {
    return entry instanceof PanopticEntry p ? p.imageId() : ((CocoAnnotationEntry) entry).imageId();
  }

  /**
   * Spreads tasks over partitions by image path. Entries that name the same image file are all
   * rejected: which annotation applies is ambiguous, and both would write the same output file.
   */
  private JavaRDD<ImageTask> partition(JavaRDD<ImageTask> tasks, long count) {
    return tasks.mapToPair(t -> new Tuple2<>(t.imagePath(), t))
        .groupByKey(new HashPartitioner(partitions(count)))
        .flatMap(group -> {
          List<ImageTask> same = new ArrayList<>();
          group._2().forEach(same::add);
          if (same.size() == 1) {
            return same.iterator();
          }
          List<ImageTask> rejected = new ArrayList<>(same.size());
          for (int i = 0; i < same.size(); i++) {
            rejected.add(ImageTask.rejected(group._1(), ErrorCode.DUPLICATE_IMAGE, same.size()
                + " dataset entries name the image file " + group._1() + "; none is protected because it is ambiguous"
                + " which annotations apply. Give each image its own file name in the index."));
          }
          return rejected.iterator();
        });
  }

  private int partitions(long count) {
    return partitionCount(count, partitionSize, partitionCount, sc.defaultParallelism());
  }

  /**
   * {@code partitions.count} when set; else one per {@code partitions.size} images, never fewer than the
   * cluster's cores while there are images for them (16 tiles in one partition ran on one of two cores),
   * and rounded up to whole waves of {@code cores} tasks: 5 partitions on 2 cores end with one task alone
   * while the other core idles; 6 slightly smaller ones keep both busy to the end.
   */
  static int partitionCount(long count, int size, int fixed, int cores) {
    if (fixed > 0) {
      return fixed;
    }
    long bySize = (count + size - 1) / size;
    long waves = (Math.max(bySize, 1) + cores - 1) / cores;
    long n = Math.min(Math.max(count, 1), waves * cores);
    return (int) Math.min(Integer.MAX_VALUE, n);
  }

  /**
   * Visits the image paths an image list ({@code unseg.input.image-list}) names, streamed: how protect,
   * verify, evaluate and train-generator read one.
   */
  public static long readImageList(String imageList, DatasetFormat format, org.apache.hadoop.conf.Configuration conf,
      ImageList.Visitor visitor) throws IOException {
    URI uri = Locations.qualify(imageList);
    try (InputStream in = Storage.of(uri, conf).open(new Path(uri))) {
      return ImageList.read(in, format, visitor);
    }
  }

  private <T> JavaRDD<T> readChunks(List<String> chunks) {
    return ChunkSpill.rdd(sc, chunks, hadoopConf);
  }

  private static <T extends Serializable> void spill(ChunkSpill<T> spill, T item) {
    try {
      spill.add(item);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the run's plan under --output: " + e.getMessage(), e);
    }
  }

  /** Dot files and folders (.DS_Store, .git): counted with the files that are not images. */
  public static boolean hidden(String rel) {
    for (String part : rel.split("/")) {
      if (part.startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  /** Whether a file name is an image's: one the formats read, or another image format ({@link #OTHER_IMAGE_EXTENSIONS}). */
  public static boolean imageName(String rel) {
    return ImageFormat.fromFileName(rel).isPresent() || OTHER_IMAGE_EXTENSIONS.contains(extension(rel));
  }

  private static String extension(String rel) {
    int dot = rel.lastIndexOf('.');
    return dot < 0 ? "" : rel.substring(dot + 1).toLowerCase(Locale.ROOT);
  }
}
