package dev.unseg.pipeline.protect;

import dev.unseg.pipeline.audit.AuditRecord;
import dev.unseg.pipeline.dataset.ImageTask;
import dev.unseg.pipeline.generator.NoiseGenerator;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Runs a stream of images through read/decode/mask, the generator in batches, and
 * composite/encode/write, with every stage busy at once. A semaphore admits at most
 * {@link PipelineSettings#maxInFlight()} images, and no more than the JVM's {@link HeapBudget} has room
 * for, so a slow stage or large images hold the reader back instead of filling memory. Results arrive
 * in completion order; every task yields exactly one record.
 */
public final class ProtectPipeline implements AutoCloseable {
  private final ImageProtector protector;
  private final NoiseGenerator generator;
  private final DatasetIO io;
  private final PipelineSettings settings;
  private final ExecutorService workers;
  private final ExecutorService generatorThread;
  private final HeapBudget heap;
  /** Admissions not yet released: close() gives them back, so that a failed or cancelled task leaks no budget. */
  private final java.util.Set<HeapBudget.Admission> live = java.util.concurrent.ConcurrentHashMap.newKeySet();

  public ProtectPipeline(ImageProtector protector, NoiseGenerator generator, DatasetIO io, PipelineSettings settings) {
    this(protector, generator, io, settings, HeapBudget.JVM);
  }

  ProtectPipeline(ImageProtector protector, NoiseGenerator generator, DatasetIO io, PipelineSettings settings, HeapBudget heap) {
    this.heap = heap;
    this.protector = protector;
    this.generator = generator;
    this.io = io;
    this.settings = settings;
    this.workers = Executors.newFixedThreadPool(settings.workerThreads(), daemonThreads("unseg-worker"));
    // One generator caller per pipeline keeps batches in order and the device fed without contention.
    this.generatorThread = Executors.newSingleThreadExecutor(daemonThreads("unseg-generator"));
  }

  /** Processes every task, handing each outcome to {@code sink} (called from worker threads, one at a time). */
  public void run(Iterator<ImageTask> tasks, Consumer<ImageOutcome> sink) throws InterruptedException {
    Semaphore admitted = new Semaphore(settings.maxInFlight());
    Consumer<ImageOutcome> serialSink = outcome -> {
      synchronized (sink) {
        sink.accept(outcome);
      }
    };
    List<CompletableFuture<Void>> batches = new ArrayList<>();
    List<CompletableFuture<Staged>> batch = new ArrayList<>(settings.batchSize());
    while (tasks.hasNext()) {
      ImageTask task = tasks.next();
      admitted.acquire();
      List<CompletableFuture<Staged>> partial = batch;
      HeapBudget.Admission admission = heap.admit(() -> {
        if (!partial.isEmpty()) {
          batches.add(dispatch(new ArrayList<>(partial), admitted, serialSink));
          partial.clear();
        }
      });
      live.add(admission);
      batch.add(CompletableFuture.supplyAsync(() -> stage(task, admission), workers));
      if (batch.size() == settings.batchSize()) {
        // Finished batches leave the list, so what it holds is bounded by the images in flight, not by
        // the partition's length; a failed one stays, for join() to report.
        batches.removeIf(f -> f.isDone() && !f.isCompletedExceptionally());
        batches.add(dispatch(batch, admitted, serialSink));
        batch = new ArrayList<>(settings.batchSize());
      }
    }
    if (!batch.isEmpty()) {
      batches.add(dispatch(batch, admitted, serialSink));
    }
    CompletableFuture.allOf(batches.toArray(CompletableFuture[]::new)).join();
  }

  /** A staged image and its share of the JVM's heap budget, held until it is finished. */
  private record Staged(ImageProtector.Stage stage, long prepareMillis, HeapBudget.Admission admission) {}

  private Staged stage(ImageTask task, HeapBudget.Admission admission) {
    long start = System.nanoTime();
    ImageProtector.Stage stage;
    try {
      stage = protector.prepare(task, io);
    } catch (RuntimeException | Error e) {
      heap.release(admission); // its batch never runs: the reader may be waiting for this share
      live.remove(admission);
      throw e;
    }
    heap.staged(admission, stage instanceof ImageProtector.Prepared p
        ? p.original().length + HeapBudget.BYTES_PER_PIXEL * p.image().width() * p.image().height() : 0);
    return new Staged(stage, millisSince(start), admission);
  }

  private CompletableFuture<Void> dispatch(
      List<CompletableFuture<Staged>> batch, Semaphore admitted, Consumer<ImageOutcome> sink) {
    CompletableFuture<?>[] members = batch.toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(members)
        .thenApplyAsync(ignored -> generate(batch.stream().map(CompletableFuture::join).toList()), generatorThread)
        .thenCompose(generated -> CompletableFuture.allOf(generated.stream()
            .map(g -> CompletableFuture.runAsync(() -> {
              try {
                sink.accept(finish(g));
              } finally {
                heap.release(g.staged().admission());
                live.remove(g.staged().admission());
                admitted.release();
              }
            }, workers))
            .toArray(CompletableFuture[]::new)));
  }

  /** A staged image with its noise (or the generator's failure) and its share of the batch time. */
  private record Generated(Staged staged, float[] noise, Exception failure, long generateMillis) {}

  private List<Generated> generate(List<Staged> staged) {
    List<ImageProtector.Prepared> needNoise = new ArrayList<>();
    for (Staged s : staged) {
      if (s.stage() instanceof ImageProtector.Prepared p && p.needsNoise()) {
        needNoise.add(p);
      }
    }
    List<float[]> noise = List.of();
    Exception failure = null;
    long start = System.nanoTime();
    if (!needNoise.isEmpty()) {
      try {
        noise = generator.generate(
            needNoise.stream().map(ImageProtector.Prepared::generatorImage).toList(),
            needNoise.stream().map(ImageProtector.Prepared::prompt).toList(),
            needNoise.stream().map(ImageProtector.Prepared::classPrompt).toList());
        if (noise.size() != needNoise.size()) {
          throw new IllegalStateException("generator returned " + noise.size() + " noise maps for " + needNoise.size() + " images");
        }
      } catch (Exception e) {
        failure = e;
      }
    }
    long share = needNoise.isEmpty() ? 0 : millisSince(start) / needNoise.size();
    List<Generated> out = new ArrayList<>(staged.size());
    int next = 0;
    for (Staged s : staged) {
      boolean noised = s.stage() instanceof ImageProtector.Prepared p && p.needsNoise();
      float[] n = noised && failure == null ? noise.get(next) : null;
      next += noised ? 1 : 0;
      out.add(new Generated(s, n, noised ? failure : null, noised ? share : 0));
    }
    return out;
  }

  private ImageOutcome finish(Generated g) {
    long start = System.nanoTime();
    AuditRecord record;
    if (g.staged().stage() instanceof ImageProtector.Done done) {
      record = done.record();
    } else {
      ImageProtector.Prepared p = (ImageProtector.Prepared) g.staged().stage();
      record = g.failure() != null ? protector.generatorFailed(p, g.failure()) : protector.finish(p, g.noise(), io);
    }
    return new ImageOutcome(record, g.staged().prepareMillis(), g.generateMillis(), millisSince(start));
  }

  private static long millisSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public void close() {
    workers.shutdownNow();
    generatorThread.shutdownNow();
    live.forEach(heap::release);
    live.clear();
  }
}
