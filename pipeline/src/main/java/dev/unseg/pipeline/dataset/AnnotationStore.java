package dev.unseg.pipeline.dataset;

import java.io.IOException;
import java.io.InputStream;

/**
 * Read access to files under one root (images or annotations), by path relative to that root with
 * '/' separators. The core library does all its I/O through this, so it runs the same on local
 * files (tests) and on Hadoop FileSystem (s3a://, gs://, hdfs://) in the jobs.
 */
public interface AnnotationStore {
  /** Opens the file; throws {@link java.io.FileNotFoundException} when it does not exist. */
  InputStream open(String relativePath) throws IOException;

  boolean exists(String relativePath) throws IOException;

  /** Reads the whole file; callers bound the size through the dataset's limits. */
  default byte[] readAll(String relativePath) throws IOException {
    try (InputStream in = open(relativePath)) {
      return in.readAllBytes();
    }
  }
}
