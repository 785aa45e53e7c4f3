package dev.unseg.pipeline.protect;

import java.io.Serializable;

/**
 * How one partition's images flow through the stages.
 *
 * @param workerThreads threads that read, decode, mask, composite, encode and write
 * @param batchSize images per generator call
 * @param maxInFlight images admitted but not finished; bounds a task's memory whatever the
 *     partition size (each in-flight image holds its decoded pixels)
 */
public record PipelineSettings(int workerThreads, int batchSize, int maxInFlight) implements Serializable {
  public PipelineSettings {
    if (workerThreads < 1 || batchSize < 1 || maxInFlight < batchSize) {
      throw new IllegalArgumentException("need workerThreads >= 1, batchSize >= 1 and maxInFlight >= batchSize, got "
          + workerThreads + ", " + batchSize + ", " + maxInFlight);
    }
  }
}
