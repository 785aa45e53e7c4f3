package dev.unseg.pipeline.protect;

/**
 * The heap a JVM's pipelines may fill with images in flight, shared by every task the JVM runs at
 * once. {@link PipelineSettings#maxInFlight()} bounds a task's images by count, which bounds memory
 * only for small images: 16 photos of 12 megapixels in each of 8 tasks need more than 10 GB. So a pipeline's
 * reader admits an image only while the images in flight, each counted at the size of the largest
 * recent image and corrected to its own once decoded, leave room for it. Workers never wait on it (a
 * batch waits on them); a reader dispatches its partial batch before it waits, so every image in flight
 * can finish and every wait ends; with none in flight one image is admitted whatever its size.
 */
final class HeapBudget {
  /**
   * Bytes of heap an image holds while in flight, per pixel: its RGB view (3), mask (1), W (4), protected
   * copy (3), encoded output and the audit's decode (3 or more), and the decoders' transient buffers.
   */
  static final long BYTES_PER_PIXEL = 16;

  /** Half the heap: the rest is Spark's, the codecs' transient buffers and the JVM's own. */
  static final HeapBudget JVM = new HeapBudget(Runtime.getRuntime().maxMemory() / 2);

  private final long capacity;
  private long used;
  private int images;
  private long largest;
  private boolean sized;

  HeapBudget(long capacity) {
    this.capacity = capacity;
  }

  /** One admitted image's share: what it holds, until released (once; a closed pipeline releases what is left). */
  static final class Admission {
    private long bytes;
    private boolean released;

    private Admission(long bytes) {
      this.bytes = bytes;
    }
  }

  /**
   * Admits one image, waiting while the budget has no room for it and images are in flight in this JVM
   * (their finish frees room). {@code beforeWaiting} runs once before the first wait: the caller
   * dispatches its partial batch there, so that whatever is in flight can finish without a newer image.
   */
  synchronized Admission admit(Runnable beforeWaiting) throws InterruptedException {
    boolean flushed = false;
    // Until one image is staged its size is unknown: one at a time, so the first wave cannot overshoot.
    while (images > 0 && (!sized || used + largest > capacity)) {
      if (!flushed) {
        beforeWaiting.run();
        flushed = true;
      }
      wait();
    }
    images++;
    used += largest;
    return new Admission(largest);
  }

  /** An admitted image now decoded: its own size replaces the estimate it was admitted at. */
  synchronized void staged(Admission a, long actual) {
    sized = true;
    // At once to a larger image, by an eighth an image back down: a JVM that ran large images runs small ones at full width again.
    largest = Math.max(actual, largest - (largest - actual) / 8);
    if (!a.released) {
      used += actual - a.bytes;
      a.bytes = actual;
    }
    notifyAll();
  }

  /** A finished image, or one its pipeline gave up, gives back what it holds; again, nothing. */
  synchronized void release(Admission a) {
    if (a.released) {
      return;
    }
    a.released = true;
    images--;
    used -= a.bytes;
    notifyAll();
  }

  synchronized long used() {
    return used;
  }
}
