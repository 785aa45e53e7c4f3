package dev.unseg.jobs.verify;

import dev.unseg.jobs.io.HadoopStore;
import dev.unseg.jobs.io.SerializableHadoopConf;
import dev.unseg.pipeline.audit.Distortion;
import dev.unseg.pipeline.audit.Sha256;
import dev.unseg.pipeline.composite.Composite;
import dev.unseg.pipeline.dataset.ImageTask;
import dev.unseg.pipeline.image.DecodedImage;
import dev.unseg.pipeline.image.ImageCodec;
import dev.unseg.pipeline.image.ImageFormat;
import dev.unseg.pipeline.mask.BinaryMask;
import java.io.FileNotFoundException;
import java.net.URI;
import org.apache.hadoop.fs.FileSystem;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/** The per-image checks of verify, run on executors; each yields the problems it found. */
final class OutputChecks {
  private OutputChecks() {}

  /** Every row that names an output: the file exists and its SHA-256 and size are the row's. */
  static JavaRDD<String> hashes(Dataset<Row> manifest, URI output, String imagesInOutput, SerializableHadoopConf conf,
      Tally tally) {
    return manifest.where("output_path IS NOT NULL").select("input_path", "output_path", "output_sha256", "output_bytes")
        .javaRDD().mapPartitions(rows -> {
          List<String> out = new ArrayList<>();
          try (FileSystem fs = uncheckedFileSystem(output, conf)) {
            HadoopStore store = new HadoopStore(output, fs);
            while (rows.hasNext()) {
              int before = out.size();
              check(rows.next(), store, imagesInOutput, out);
              tally.count(out.size() > before);
            }
          }
          return out.iterator();
        });
  }

  /** Checks done and problems found so far, per check: what the progress line shows. */
  record Tally(org.apache.spark.util.LongAccumulator checked, org.apache.spark.util.LongAccumulator found)
      implements java.io.Serializable {
    void count(boolean problem) {
      checked.add(1);
      if (problem) {
        found.add(1);
      }
    }
  }

  /**
   * The output's file system without its own checksum layer (file:// keeps .crc files): a file
   * changed after the run must reach the SHA-256 comparison, not fail the read.
   */
  static FileSystem uncheckedFileSystem(URI root, SerializableHadoopConf conf) throws java.io.IOException {
    FileSystem fs = FileSystem.newInstance(root, conf.get());
    fs.setVerifyChecksum(false);
    return fs;
  }

  private static void check(Row r, HadoopStore store, String imagesInOutput, List<String> out) {
    String rel = imagesInOutput + r.getString(1);
    byte[] data;
    try {
      data = store.read(rel, Long.MAX_VALUE);
    } catch (FileNotFoundException e) {
      out.add(rel + ": output missing (its manifest row says it was written)");
      return;
    } catch (java.io.IOException | RuntimeException e) {
      out.add(rel + ": cannot read the output: " + e);
      return;
    }
    if (!Sha256.hex(data).equals(r.getString(2)) || data.length != r.getLong(3)) {
      out.add(rel + ": output SHA-256 " + Sha256.hex(data) + " (" + data.length + " bytes) does not match its row's "
          + r.getString(2) + " (" + r.getLong(3) + " bytes): the file was changed after the run");
    }
  }

  /**
   * Protected and unmasked images against their originals: the eps region is recomputed from
   * the index exactly as protect made it (mask, 256x256 prompt, weight). Lossless outputs must be
   * within eps inside it and eps_bg outside; a JPEG output must show the L-inf its row recorded.
   */
  static JavaRDD<String> bounds(JavaRDD<ImageTask> tasks, Dataset<Row> manifest, URI images, URI annotationRoot,
      URI output, String imagesInOutput, SerializableHadoopConf conf, long maxPixels, Tally tally) {
    JavaRDD<Row> rows = manifest.where("status IN ('protected', 'no_mask')")
        .select("input_path", "output_path", "eps", "eps_bg", "linf_inside", "linf_outside", "eps_pixels").javaRDD();
    return tasks.filter(t -> t.rejection() == null).mapToPair(t -> new Tuple2<>(t.imagePath(), t))
        .join(rows.mapToPair(r -> new Tuple2<>(r.getString(0), r)))
        .values()
        .mapPartitions(pairs -> {
          HadoopStore originals = new HadoopStore(images, conf.get());
          HadoopStore annotations = new HadoopStore(annotationRoot, conf.get());
          ImageCodec codec = new ImageCodec(maxPixels);
          List<String> out = new ArrayList<>();
          try (FileSystem fs = uncheckedFileSystem(output, conf)) {
            HadoopStore written = new HadoopStore(output, fs);
            while (pairs.hasNext()) {
              Tuple2<ImageTask, Row> p = pairs.next();
              String problem = bound(p._1(), p._2(), originals, annotations, written, imagesInOutput, codec);
              tally.count(problem != null);
              if (problem != null) {
                out.add(problem);
              }
            }
          }
          return out.iterator();
        });
  }

  private static String bound(ImageTask task, Row r, HadoopStore originals, HadoopStore annotations, HadoopStore written,
      String imagesInOutput, ImageCodec codec) {
    String path = task.imagePath();
    String outRel = imagesInOutput + r.getString(1);
    try {
      DecodedImage in = codec.decode(originals.read(path, Long.MAX_VALUE), path);
      DecodedImage out;
      try {
        out = codec.decode(written.read(outRel, Long.MAX_VALUE), outRel);
      } catch (FileNotFoundException e) {
        return null; // reported by the hash check
      }
      if (in.width() != out.width() || in.height() != out.height()) {
        return outRel + ": " + out.width() + "x" + out.height() + " but its original " + path + " is " + in.width() + "x" + in.height();
      }
      BinaryMask mask = task.mask().build(in.width(), in.height(), annotations);
      BinaryMask region = mask.count() == 0 ? mask
          : new BinaryMask(in.width(), in.height(), Composite.foregroundWeight(Composite.maskPrompt(mask), in.width(), in.height()));
      Distortion d = Distortion.measure(in.rgb(), out.rgb(), region);
      int linfIn = d.linfInside() == null ? 0 : d.linfInside();
      int linfOut = d.linfOutside() == null ? 0 : d.linfOutside();
      if (!r.isNullAt(6) && r.getLong(6) != region.count()) {
        return outRel + ": the recomputed eps region has " + region.count() + " pixels, its row says " + r.getLong(6);
      }
      if (out.format() == ImageFormat.JPEG) {
        Integer recIn = r.isNullAt(4) ? null : r.getInt(4);
        Integer recOut = r.isNullAt(5) ? null : r.getInt(5);
        if ((recIn != null && recIn != linfIn) || (recOut != null && recOut != linfOut)) {
          return outRel + ": JPEG output differs from its original by L-inf " + linfIn + " inside / " + linfOut
              + " outside, but its row recorded " + recIn + " / " + recOut;
        }
        return null;
      }
      double eps = r.getDouble(2);
      double epsBg = r.getDouble(3);
      if (linfIn > Math.ceil(eps) || linfOut > Math.ceil(epsBg)) {
        return outRel + ": |out - original| reaches " + linfIn + " inside the eps region and " + linfOut
            + " outside, above eps " + eps + " / eps_bg " + epsBg;
      }
      return null;
    } catch (Exception e) {
      return outRel + ": cannot check against its original " + path + ": " + e.getMessage();
    }
  }
}
