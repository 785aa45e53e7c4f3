package dev.unseg.jobs.generator;

import dev.unseg.jobs.io.Locations;
import dev.unseg.jobs.io.Storage;
import dev.unseg.pipeline.error.UserError;
import dev.unseg.pipeline.generator.djl.ModelDigest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import org.apache.hadoop.conf.Configuration;

/**
 * Brings a model from any Hadoop URI to a local file, once per node: libtorch loads from local
 * paths only. Concurrent executors on one node race safely (copy to a temporary name, then move).
 */
final class ModelFiles {
  private ModelFiles() {}

  static Path localCopy(String model, Configuration conf) throws IOException {
    URI uri = Locations.qualify(model);
    if (Storage.isLocal(uri)) {
      Path p = Paths.get(uri);
      if (!Files.isRegularFile(p)) {
        throw notFound(model);
      }
      return p;
    }
    String name = Paths.get(uri.getPath()).getFileName().toString();
    Path dir = Paths.get(System.getProperty("java.io.tmpdir"), "unseg-models",
        Integer.toHexString(uri.toString().hashCode()));
    Path target = dir.resolve(name);
    Storage fs = Storage.of(uri, conf);
    Storage.Status remote = fs.status(new org.apache.hadoop.fs.Path(uri));
    if (remote == null) {
      throw notFound(model);
    }
    long remoteLength = remote.length();
    if (Files.isRegularFile(target) && Files.size(target) == remoteLength) {
      return target;
    }
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, name, ".part");
    try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(uri))) {
      Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
    return target;
  }

  static void checkExists(String model, Configuration conf) throws IOException {
    URI uri = Locations.qualify(model);
    if (!Storage.of(uri, conf).exists(new org.apache.hadoop.fs.Path(uri))) {
      throw notFound(model);
    }
  }

  /** The whole model file (a trained generator's is a few MB). */
  static byte[] read(String model, Configuration conf) throws IOException {
    URI uri = Locations.qualify(model);
    try (InputStream in = Storage.of(uri, conf).open(new org.apache.hadoop.fs.Path(uri))) {
      return in.readAllBytes();
    }
  }

  /** SHA-256 hex of the model file, streamed from its file system (no local copy). */
  static String sha256(String model, Configuration conf) throws IOException {
    URI uri = Locations.qualify(model);
    return ModelDigest.sha256(Storage.of(uri, conf).open(new org.apache.hadoop.fs.Path(uri)));
  }

  private static UserError notFound(String model) {
    return new UserError("unseg.generator.model = " + model + " does not exist. Give with --model the path or URI of"
        + " the UnSeg generator's TorchScript export (tools/export_unseg.py) for --generator unseg, or of the file"
        + " unseg train-generator wrote for --generator trained.");
  }
}
