package dev.unseg.jobs.verify;

import dev.unseg.jobs.io.FolderStore;
import dev.unseg.jobs.io.SerializableHadoopConf;
import dev.unseg.jobs.io.Storage;
import dev.unseg.pipeline.audit.Distortion;
import dev.unseg.pipeline.audit.Sha256;
import dev.unseg.pipeline.composite.Composite;
import dev.unseg.pipeline.dataset.ImageTask;
import dev.unseg.pipeline.image.DecodedImage;
import dev.unseg.pipeline.image.ImageCodec;
import dev.unseg.pipeline.image.ImageFormat;
import dev.unseg.pipeline.image.JpegCodec;
import dev.unseg.pipeline.mask.BinaryMask;
import java.io.FileNotFoundException;
import java.net.URI;
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
          try (Storage fs = Storage.unverified(output, conf.get())) {
            FolderStore store = new FolderStore(output, fs);
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

    private static void check(Row r, FolderStore store, String imagesInOutput, List<String> out) {
    String rel = imagesInOutput + r.<String>getAs("output_path");
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
    if (!Sha256.hex(data).equals(r.<String>getAs("output_sha256")) || data.length != r.<Long>getAs("output_bytes")) {
      out.add(rel + ": output SHA-256 " + Sha256.hex(data) + " (" + data.length + " bytes) does not match its row's "
          + r.<String>getAs("output_sha256") + " (" + r.<Long>getAs("output_bytes") + " bytes): the file was changed after the run");
    }
  }

  /**
   * Protected and unmasked images against their originals: the eps region is recomputed from
   * the index exactly as protect made it (mask, 256x256 prompt, weight). Lossless outputs must be
   * within eps inside it and eps_bg outside; a JPEG output must show the L-inf its row recorded.
   */
  static JavaRDD<String> bounds(JavaRDD<ImageTask> tasks, Dataset<Row> manifest, URI images, URI annotationRoot,
      URI output, String imagesInOutput, SerializableHadoopConf conf, long maxPixels, int sampleBits, Tally tally) {
    // A manifest written before rows had prompt_sha256 has no such column: null, and eps_pixels alone is compared.
    org.apache.spark.sql.Column prompt = java.util.Arrays.asList(manifest.columns()).contains("prompt_sha256")
        ? manifest.col("prompt_sha256") : org.apache.spark.sql.functions.lit(null).cast("string").as("prompt_sha256");
    JavaRDD<Row> rows = manifest.where("status IN ('protected', 'no_mask')")
        .select(manifest.col("input_path"), manifest.col("output_path"), manifest.col("eps"), manifest.col("eps_bg"),
            manifest.col("linf_inside"), manifest.col("linf_outside"), manifest.col("eps_pixels"), manifest.col("status"),
            prompt).javaRDD();
    return tasks.filter(t -> t.rejection() == null).mapToPair(t -> new Tuple2<>(t.imagePath(), t))
        .join(rows.mapToPair(r -> new Tuple2<>(r.<String>getAs("input_path"), r)))
        .values()
        .mapPartitions(pairs -> {
          FolderStore originals = new FolderStore(images, conf.get());
          FolderStore annotations = new FolderStore(annotationRoot, conf.get());
          ImageCodec codec = new ImageCodec(maxPixels, JpegCodec.AUTO, sampleBits);
          List<String> out = new ArrayList<>();
          try (Storage fs = Storage.unverified(output, conf.get())) {
            FolderStore written = new FolderStore(output, fs);
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

  private static String bound(ImageTask task, Row r, FolderStore originals, FolderStore annotations, FolderStore written,
      String imagesInOutput, ImageCodec codec) {
    String path = task.imagePath();
    String outRel = imagesInOutput + r.<String>getAs("output_path");
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
      float[] prompt = mask.count() == 0 ? null : Composite.maskPrompt(mask);
      String recorded = r.getAs("prompt_sha256");
      boolean annotatedSince = "no_mask".equals(r.getAs("status")) && prompt != null;
      if (annotatedSince || recorded != null && (prompt == null || !recorded.equals(Sha256.ofPrompt(prompt)))) {
        String annotation = task.mask().annotationPath();
        return outRel + ": the annotation of " + path + (annotation == null ? " in the index" : " (" + annotation + ")")
            + (annotatedSince ? " has objects now, none when the run released the image unchanged (no_mask): annotated"
                + " since the run; protect with --resume protects the image"
                : " makes another mask now than the one the run protected it with (its row's prompt_sha256): edited since"
                + " the run; protect with --resume protects the image again");
      }
      BinaryMask region = prompt == null ? mask
          : new BinaryMask(in.width(), in.height(), Composite.foregroundWeight(prompt, in.width(), in.height()));
      Distortion d = Distortion.measure(in.rgb(), out.rgb(), region);
      int linfIn = d.linfInside() == null ? 0 : d.linfInside();
      int linfOut = d.linfOutside() == null ? 0 : d.linfOutside();
      if (r.getAs("eps_pixels") != null && r.<Long>getAs("eps_pixels") != region.count()) {
        return outRel + ": the recomputed eps region has " + region.count() + " pixels, its row says " + r.getAs("eps_pixels");
      }
      if (out.format() == ImageFormat.JPEG) {
        Integer recIn = r.getAs("linf_inside");
        Integer recOut = r.getAs("linf_outside");
        if ((recIn != null && recIn != linfIn) || (recOut != null && recOut != linfOut)) {
          return outRel + ": JPEG output differs from its original by L-inf " + linfIn + " inside / " + linfOut
              + " outside, but its row recorded " + recIn + " / " + recOut;
        }
        return null;
      }
      double eps = r.<Double>getAs("eps");
      double epsBg = r.<Double>getAs("eps_bg");
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
