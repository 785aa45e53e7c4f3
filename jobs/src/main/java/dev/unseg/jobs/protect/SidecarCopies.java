package dev.unseg.jobs.protect;

import dev.unseg.jobs.io.FolderStore;
import dev.unseg.jobs.io.Locations;
import dev.unseg.jobs.io.OutputFullException;
import dev.unseg.jobs.io.SerializableHadoopConf;
import dev.unseg.jobs.io.Storage;
import dev.unseg.jobs.plan.ChunkSpill;
import dev.unseg.jobs.plan.TaskPlanner;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.LongAccumulator;

/**
 * Copies GDAL's pixel-free sidecars ({@link dev.unseg.jobs.plan.GdalSidecars}) from the images root into the
 * release, unchanged, at their mirrored paths beside the protected images, in tasks (a national orthophoto set
 * has one world file per tile). A sidecar gone since the listing is skipped.
 */
final class SidecarCopies {
  private SidecarCopies() {}

  /** The number copied. */
  static long copy(JavaSparkContext sc, TaskPlanner.Sidecars sidecars, Locations locations, SerializableHadoopConf conf) {
    LongAccumulator copied = sc.sc().longAccumulator("unseg.sidecars");
    ChunkSpill.<String>rdd(sc, sidecars.chunks(), conf).foreachPartition(files -> {
      FolderStore source = new FolderStore(locations.images(), conf.get());
      Storage output = Storage.of(locations.output(), conf.get());
      while (files.hasNext()) {
        String rel = files.next();
        org.apache.hadoop.fs.Path target = locations.outputImagePath(rel);
        InputStream in;
        try {
          in = source.open(rel);
        } catch (FileNotFoundException e) {
          continue;
        }
        try (in) {
          output.publish(target, in); // streamed: the mask of a large tile need not fit in memory
        } catch (IOException e) {
          throw OutputFullException.stopIfFull(e, target);
        }
        copied.add(1);
      }
    });
    return copied.value();
  }
}
